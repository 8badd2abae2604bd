"""`{% url %}` through `agencies.urlreverse.reverse`: the same tag, syntax and answers as Django's,
without redoing the URL name's lookups for every link (a list page prints one to three per row).

Installed as a template builtin (settings.TEMPLATES), after Django's own, so every template's
`{% url %}` is this one without a `{% load %}`.
"""

from django import template
from django.template import defaulttags
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape

from agencies.urlreverse import reverse, url_env

register = template.Library()
ENV_KEY = "agencies.urlreverse.env"


class URLNode(defaulttags.URLNode):
    def render(self, context):
        # Django's URLNode.render, with the faster reverse.
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        env = context.render_context.get(ENV_KEY)
        if env is None:  # once per template rendered (a request's URL conf and script prefix)
            env = context.render_context[ENV_KEY] = url_env()
        url = ""
        try:
            url = reverse(view_name, args=args, kwargs=kwargs, current_app=current_app, env=env)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    node = defaulttags.url(parser, token)  # Django's parsing and its syntax errors
    return URLNode(node.view_name, node.args, node.kwargs, node.asvar)
