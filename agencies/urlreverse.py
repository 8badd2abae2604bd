"""`reverse()` without redoing its lookups on every call: Django's answer, at a third of the cost.

Django's `reverse` walks the namespaces, reads the patterns of the name for the active language,
and builds and looks up the pattern's regular expression again on every call (~15 µs for a URL
with an argument). A list page prints one to three URLs per row and the pages of the mix print
40 on average. Here the part that depends only on the name — its patterns, their converters and
the compiled check — is found once per process (per URL conf and script prefix); each call
converts its arguments, fills in the pattern, checks the result against the pattern and quotes
it exactly as Django does (`URLResolver._reverse_with_prefix`).

Anything outside that path goes to Django's own `reverse`: a callable instead of a name, a
namespace with several instances (`current_app` then chooses one), a name or namespace that does
not exist, arguments no pattern accepts — so the errors (NoReverseMatch) are Django's too — and
a URL conf with translated patterns (`i18n_patterns`, lazy routes), whose answer depends on the
active language. No maintained package does this for Django 5.2 (django-reversetag and its kind
change the tag's syntax, not its cost).
"""

import functools
import re
from urllib.parse import quote

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import URLResolver, get_resolver, get_script_prefix, get_urlconf
from django.urls import reverse as django_reverse
from django.urls.resolvers import LocalePrefixPattern, get_ns_resolver
from django.utils.functional import Promise
from django.utils.http import RFC3986_SUBDELIMS, escape_leading_slashes

_SAFE = RFC3986_SUBDELIMS + "/~:@"  # `pchar` of RFC 3986, as Django quotes


def url_env() -> tuple:
    """What a URL depends on besides its name and arguments in this request: the URL conf and
    the script prefix (a template reads them once for all its links)."""
    return (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


def reverse(viewname, args=None, kwargs=None, current_app=None, *, env: tuple | None = None):
    """`django.urls.reverse(viewname, args=…, kwargs=…, current_app=…)`, same answer."""
    urlconf, prefix = env or url_env()
    if isinstance(viewname, str) and not (args and kwargs):
        candidates = _candidates(viewname, urlconf, prefix)
        if candidates is not None:
            url = _fill(candidates, args or (), kwargs or {})
            if url is not None:
                return url
    return django_reverse(viewname, urlconf, args, kwargs, current_app)


@functools.cache
def _translated(urlconf) -> bool:
    """Does any pattern of the URL conf depend on the active language?"""

    def walk(patterns) -> bool:
        for p in patterns:
            pattern = p.pattern
            raw = getattr(pattern, "_route", None) or getattr(pattern, "_regex", None)
            if isinstance(pattern, LocalePrefixPattern) or isinstance(raw, Promise):
                return True
            if isinstance(p, URLResolver) and walk(p.url_patterns):
                return True
        return False

    return walk(get_resolver(urlconf).url_patterns)


@functools.lru_cache(maxsize=2048)  # the project's URL names (~600), under one or two prefixes
def _candidates(viewname: str, urlconf, prefix: str) -> tuple | None:
    """The patterns `viewname` reverses to: (format, params, defaults, converters, check)."""
    if _translated(urlconf):
        return None
    resolver = get_resolver(urlconf)
    *path, view = viewname.split(":")
    ns_pattern = ""
    ns_converters = {}
    for ns in path:
        if resolver.app_dict.get(ns) != [ns] or ns not in resolver.namespace_dict:
            return None  # several instances, or an unknown namespace: Django's rules and errors
        extra, resolver = resolver.namespace_dict[ns]
        ns_pattern += extra
        ns_converters.update(resolver.pattern.converters)
    if ns_pattern:
        resolver = get_ns_resolver(ns_pattern, resolver, tuple(ns_converters.items()))
    found = []
    for possibility, pattern, defaults, converters in resolver.reverse_dict.getlist(view):
        check = re.compile(f"^{re.escape(prefix)}{pattern}")
        for result, params in possibility:
            found.append((prefix.replace("%", "%%") + result, params, defaults, converters, check))
    return tuple(found) or None


def _fill(candidates: tuple, args, kwargs: dict) -> str | None:
    for fmt, params, defaults, converters, check in candidates:
        if args:
            if len(args) != len(params):
                continue
            subs = dict(zip(params, args, strict=True))
        else:
            if set(kwargs).symmetric_difference(params).difference(defaults):
                continue
            if any(k not in params and kwargs.get(k, v) != v for k, v in defaults.items()):
                continue
            subs = kwargs
        text = {}
        try:
            for k, v in subs.items():
                text[k] = converters[k].to_url(v) if k in converters else str(v)
        except ValueError:
            continue
        url = fmt % text
        if check.search(url):
            return escape_leading_slashes(quote(url, safe=_SAFE))
    return None


@receiver(setting_changed)
def _forget(*, setting, **kwargs):
    # Django forgets its URL caches when a test changes the URL conf; so do these.
    if setting == "ROOT_URLCONF":
        _candidates.cache_clear()
        _translated.cache_clear()
