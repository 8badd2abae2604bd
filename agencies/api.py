from rest_framework import permissions, serializers, viewsets

from .models import Agency, Area, Membership, User
from .policy import check
from .selectors import agencies_visible_to, staff_visible_to


class PolicyPermission(permissions.BasePermission):
    """Maps a viewset's `policy_actions` ({drf action: policy action}) onto the policy."""

    def has_permission(self, request, view):
        action = view.policy_actions.get(view.action)
        if action is None:
            return False
        if view.action in ("list", "create"):
            return check(request.user, action).allowed
        return True  # object-level check below

    def has_object_permission(self, request, view, obj):
        return check(request.user, view.policy_actions[view.action], obj).allowed


class AreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["id", "code", "name", "kana", "level", "parent"]


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "code", "name", "kana", "short_name", "kind", "operator_type", "operator",
                  "programmes", "area", "postal_code", "address", "phone", "fax", "email", "active"]


class MembershipSerializer(serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Membership
        fields = ["agency", "role", "start_date", "end_date"]


class StaffSerializer(serializers.ModelSerializer):
    memberships = MembershipSerializer(source="current_membership_list", many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "kana", "memberships"]


class AreaViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AreaSerializer
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    policy_actions = {"list": "area.view", "retrieve": "area.view"}
    queryset = Area.objects.all()

    def get_queryset(self):
        return Area.objects.all() if check(self.request.user, "area.view") else Area.objects.none()


class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AgencySerializer
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    policy_actions = {"list": "agency.view", "retrieve": "agency.view"}
    filterset_fields = ["kind", "active", "area"]

    def get_queryset(self):
        return agencies_visible_to(self.request.user)


class StaffViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = StaffSerializer
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    policy_actions = {"list": "staff.list", "retrieve": "staff.list"}

    def get_queryset(self):
        return staff_visible_to(self.request.user)
