from django import template

from agencies.policy import can

register = template.Library()


@register.inclusion_tag("community/_tabs.html", takes_context=True)
def community_tabs(context, tab: str):
    """The section's tabs, leaving out those the user may not open (a tab must not answer 403)."""
    user = context["request"].user
    return {"tab": tab, "show_volunteers": can(user, "volunteer.list")}
