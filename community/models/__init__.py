"""Community work (地域づくり): the shared resource catalogue (社会資源 / 拠点・居場所), and the
community programme's places, sessions, volunteers, platforms and community issues."""

from .issues import CommunityIssue, CommunityIssueQuerySet
from .resources import Resource, ResourceQuerySet

__all__ = ["CommunityIssue", "CommunityIssueQuerySet", "Resource", "ResourceQuerySet"]
