"""REST API v1 for areas, agencies, staff and memberships.

Reads follow the same selectors as the pages (the directory for every professional); writes go
through agencies.services, exactly like the HTML views, so the policy, validation and audit rows
are the same. Updates must send the `version` they read: a stale one answers 409 and nothing is
written. Errors are structured by agencies.api_errors: {"error": {"code", "message", "fields"}}.
"""

from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.services import record, record_list

from . import services, services_auth, tokens
from .choices import Programme, Role
from .filters import AgencyFilter, AreaFilter, MembershipFilter, StaffFilter
from .models import Agency, Area, Membership, User
from .policy import check, require
from .selectors import (
    agencies_visible_to,
    areas_visible_to,
    memberships_visible_to,
    staff_visible_to,
)


class PolicyPermission(permissions.BasePermission):
    """Maps a viewset's `policy_actions` ({drf action: policy action}) onto the policy."""

    def has_permission(self, request, view):
        action_name = view.policy_actions.get(view.action)
        if action_name is None:
            return False
        if view.action in ("list", "create"):
            return check(request.user, action_name).allowed
        return True  # object-level check below

    def has_object_permission(self, request, view, obj):
        return check(request.user, view.policy_actions[view.action], obj).allowed


class AuditedListMixin:
    """List endpoints over personal records leave one audit row naming the records returned
    (ids only), like the HTML list and search pages. Set `list_audit_action`."""

    list_audit_action = ""

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if self.action == "list" and self.list_audit_action:
            shown = page if page is not None else queryset
            record_list(actor=self.request.user, action=self.list_audit_action, objects=shown)
        return page


class Conflict(exceptions.APIException):
    """409 in the project's error shape. Keyword arguments are added to the error body, so a
    client can show what it needs to resolve the conflict (the saved version, the current
    status and the actions still possible, likely duplicates…)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = gettext_lazy(
        "他の人が先に更新しました。最新の内容を取得してからやり直してください。"
    )

    def __init__(self, detail=None, code=None, **extra):
        super().__init__(detail, code)
        self.extra = extra


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=gettext_lazy("400 のとき: 項目ごとのエラーメッセージ"),
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()


ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description=gettext_lazy("入力内容の誤り")),
    403: OpenApiResponse(ErrorSerializer, description=gettext_lazy("権限がない")),
    404: OpenApiResponse(ErrorSerializer, description=gettext_lazy("見つからない")),
}
READ_ERRORS = {403: ERRORS[403], 404: ERRORS[404]}
CONFLICT = {
    409: OpenApiResponse(
        ErrorSerializer,
        description=gettext_lazy("同時更新または状態の競合(解決に必要な項目が error に加わります)"),
    )
}
WRITE_ERRORS = {**ERRORS, **CONFLICT}


class VersionedSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text=gettext_lazy("更新時は必須: 取得したときの版。古い版なら 409 を返します。"),
    )

    def validate(self, attrs):
        if self.instance is not None and "version" not in attrs:
            raise serializers.ValidationError({"version": _("更新時は版(version)が必要です。")})
        return attrs

    def service_data(self) -> tuple[dict, int | None]:
        data = dict(self.validated_data)
        return data, data.pop("version", None)


def audited_read(request, action: str, obj, **kwargs):
    """Require `action` ("entity.view") on `obj` and record the reading in the audit log with
    the policy's basis: every API read of a single record goes through here. Returns the
    Decision. `kwargs` go to audit.services.record (e.g. changes=["api"])."""
    decision = require(request.user, action, obj)
    record(actor=request.user, action=action, obj=obj, basis=decision.basis, **kwargs)
    return decision


def _call(fn, **kwargs):
    """Run a service and translate its optimistic-concurrency error into 409."""
    try:
        return fn(**kwargs)
    except services.ConcurrentEditError:
        raise Conflict()


# --- areas ------------------------------------------------------------------------------


class AreaSerializer(VersionedSerializer):
    parent = serializers.SlugRelatedField(
        slug_field="code", queryset=Area.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Area
        fields = ["id", "code", "name", "kana", "level", "parent", "sort_order", "version"]


class AreaViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """日常生活圏域 and districts. Everyone on staff reads; admins write."""

    serializer_class = AreaSerializer
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    policy_actions = {
        "list": "area.view",
        "retrieve": "area.view",
        "create": "area.manage",
        "update": "area.manage",
        "partial_update": "area.manage",
    }
    queryset = Area.objects.none()
    filterset_class = AreaFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Area.objects.none()
        return areas_visible_to(self.request.user)

    @extend_schema(responses={201: AreaSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @extend_schema(responses={200: AreaSerializer, **WRITE_ERRORS})
    def update(self, request, *args, **kwargs):
        return super().update(request, *args, **kwargs)

    @extend_schema(responses={200: AreaSerializer, **WRITE_ERRORS})
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    def perform_create(self, serializer):
        data, _version = serializer.service_data()
        serializer.instance = services.area_create(actor=self.request.user, data=data)

    def perform_update(self, serializer):
        data, version = serializer.service_data()
        serializer.instance = _call(
            services.area_update,
            actor=self.request.user,
            area=serializer.instance,
            data=data,
            expected_version=version,
        )


# --- agencies ---------------------------------------------------------------------------


class AgencySerializer(VersionedSerializer):
    area = serializers.SlugRelatedField(
        slug_field="code", queryset=Area.objects.all(), allow_null=True, required=False
    )
    programmes = serializers.ListField(
        child=serializers.ChoiceField(choices=Programme.choices), required=False
    )

    class Meta:
        model = Agency
        fields = [
            "id",
            "code",
            "name",
            "kana",
            "short_name",
            "kind",
            "operator_type",
            "operator",
            "programmes",
            "area",
            "postal_code",
            "address",
            "phone",
            "fax",
            "email",
            "active",
            "updated_at",
            "version",
        ]
        read_only_fields = ["active", "updated_at"]


class SetActiveSerializer(serializers.Serializer):
    active = serializers.BooleanField()
    version = serializers.IntegerField(min_value=1)


class AgencyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Agencies: the directory for every professional; admins register and edit, an agency's
    supervisor edits its contact fields. Agencies are never deleted, only deactivated."""

    serializer_class = AgencySerializer
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    policy_actions = {
        "list": "agency.view",
        "retrieve": "agency.view",
        "create": "agency.create",
        "update": "agency.update",
        "partial_update": "agency.update",
        "set_active": "agency.set_active",
    }
    queryset = Agency.objects.none()
    filterset_class = AgencyFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Agency.objects.none()
        return agencies_visible_to(self.request.user)

    @extend_schema(responses={201: AgencySerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @extend_schema(responses={200: AgencySerializer, **WRITE_ERRORS})
    def update(self, request, *args, **kwargs):
        return super().update(request, *args, **kwargs)

    @extend_schema(responses={200: AgencySerializer, **WRITE_ERRORS})
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    def perform_create(self, serializer):
        data, _version = serializer.service_data()
        serializer.instance = services.agency_create(actor=self.request.user, data=data)

    def perform_update(self, serializer):
        data, version = serializer.service_data()
        serializer.instance = _call(
            services.agency_update,
            actor=self.request.user,
            agency=serializer.instance,
            data=data,
            expected_version=version,
        )

    @extend_schema(request=SetActiveSerializer, responses={200: AgencySerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"], url_path="set-active")
    def set_active(self, request, pk=None):
        """Deactivate or reactivate an agency (admins)."""
        agency = self.get_object()
        body = SetActiveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        agency = _call(
            services.agency_set_active,
            actor=request.user,
            agency=agency,
            active=body.validated_data["active"],
            expected_version=body.validated_data["version"],
        )
        return Response(AgencySerializer(agency).data)


# --- memberships ------------------------------------------------------------------------


class MembershipSerializer(serializers.ModelSerializer):
    staff = serializers.SlugRelatedField(
        source="user", slug_field="public_id", queryset=User.objects.all()
    )
    agency = serializers.SlugRelatedField(slug_field="code", queryset=Agency.objects.all())
    is_current = serializers.BooleanField(read_only=True)
    start_date = serializers.DateField(required=False)

    class Meta:
        model = Membership
        fields = ["id", "staff", "agency", "role", "start_date", "end_date", "note", "is_current"]
        read_only_fields = ["end_date"]


class MembershipEndSerializer(serializers.Serializer):
    end_date = serializers.DateField()


class MembershipTransferSerializer(serializers.Serializer):
    to_agency = serializers.SlugRelatedField(slug_field="code", queryset=Agency.objects.all())
    transfer_date = serializers.DateField()
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class MembershipViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Memberships (staff ↔ agency, role, period). Professionals read current ones and their
    own history; admins read all and start, end or transfer (April 異動) them."""

    serializer_class = MembershipSerializer
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    policy_actions = {
        "list": "membership.list",
        "retrieve": "membership.list",
        "create": "membership.manage",
        "end": "membership.manage",
        "transfer": "membership.manage",
    }
    queryset = Membership.objects.none()
    filterset_class = MembershipFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        return memberships_visible_to(self.request.user).order_by("-start_date", "pk")

    @extend_schema(responses={201: MembershipSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.membership_start(
            actor=self.request.user,
            user=data.pop("user"),
            agency=data["agency"],
            role=data["role"],
            start_date=data.get("start_date"),
            note=data.get("note", ""),
        )

    @extend_schema(request=MembershipEndSerializer, responses={200: MembershipSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End a membership on `end_date` (its last day)."""
        membership = self.get_object()
        body = MembershipEndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        membership = services.membership_end(
            actor=request.user, membership=membership, end_date=body.validated_data["end_date"]
        )
        return Response(MembershipSerializer(membership).data)

    @extend_schema(
        request=MembershipTransferSerializer, responses={201: MembershipSerializer, **ERRORS}
    )
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        """April transfer: end this membership the day before `transfer_date` and start a new
        one at `to_agency` on it, both or neither. Returns the new membership."""
        membership = self.get_object()
        body = MembershipTransferSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        new = services.membership_transfer(
            actor=request.user,
            membership=membership,
            to_agency=data["to_agency"],
            transfer_date=data["transfer_date"],
            role=data.get("role"),
            note=data.get("note", ""),
        )
        return Response(MembershipSerializer(new).data, status=status.HTTP_201_CREATED)


# --- staff ------------------------------------------------------------------------------


class CurrentMembershipSerializer(serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Membership
        fields = ["agency", "role", "start_date", "end_date"]


class StaffDirectorySerializer(serializers.ModelSerializer):
    """What every professional may see of a colleague: name and current agencies."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    memberships = CurrentMembershipSerializer(
        source="current_membership_list", many=True, read_only=True
    )

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "kana", "memberships"]


class StaffSerializer(VersionedSerializer):
    """A staff record (admins, the person, colleagues of the same agency)."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    memberships = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "display_name",
            "kana",
            "staff_number",
            "email",
            "phone",
            "language",
            "is_active",
            "memberships",
            "version",
        ]
        read_only_fields = ["is_active"]
        extra_kwargs = {"display_name": {"required": True, "allow_blank": False}}

    @extend_schema_field(MembershipSerializer(many=True))
    def get_memberships(self, obj):
        qs = obj.memberships.select_related("agency", "user").order_by("-start_date")
        return MembershipSerializer(qs, many=True).data


class StaffSetActiveSerializer(SetActiveSerializer):
    end_memberships_on = serializers.DateField(
        required=False,
        help_text=gettext_lazy("無効にするとき、終了日のない所属をこの日で終了します。"),
    )


class StaffViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Staff, addressed by their public UUID. The list is the directory (names and current
    agencies); a record with contact details needs `staff.view` and its reading is audited."""

    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[0-9a-f-]{36}"
    policy_actions = {
        "list": "staff.list",
        "retrieve": "staff.view",
        "create": "staff.create",
        "update": "staff.update",
        "partial_update": "staff.update",
        "set_active": "staff.set_active",
    }
    queryset = User.objects.none()
    filterset_class = StaffFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return User.objects.none()
        return staff_visible_to(self.request.user)

    def get_serializer_class(self):
        return StaffDirectorySerializer if self.action == "list" else StaffSerializer

    def retrieve(self, request, *args, **kwargs):
        staff = self.get_object()
        audited_read(request, "staff.view", staff)
        return Response(StaffSerializer(staff).data)

    @extend_schema(responses={201: StaffSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @extend_schema(responses={200: StaffSerializer, **WRITE_ERRORS})
    def update(self, request, *args, **kwargs):
        return super().update(request, *args, **kwargs)

    @extend_schema(responses={200: StaffSerializer, **WRITE_ERRORS})
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    def perform_create(self, serializer):
        data, _version = serializer.service_data()
        serializer.instance = services.staff_create(actor=self.request.user, data=data)

    def perform_update(self, serializer):
        data, version = serializer.service_data()
        serializer.instance = _call(
            services.staff_update,
            actor=self.request.user,
            staff=serializer.instance,
            data=data,
            expected_version=version,
        )

    @extend_schema(
        request=StaffSetActiveSerializer, responses={200: StaffSerializer, **WRITE_ERRORS}
    )
    @action(detail=True, methods=["post"], url_path="set-active")
    def set_active(self, request, id=None):
        """Deactivate (login and tokens stop working) or reactivate a staff account (admins)."""
        staff = self.get_object()
        body = StaffSetActiveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        staff = _call(
            services.staff_set_active,
            actor=request.user,
            staff=staff,
            active=data["active"],
            expected_version=data["version"],
            end_memberships_on=data.get("end_memberships_on"),
        )
        return Response(StaffSerializer(staff).data)


# --- token ------------------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(required=False)
    password = serializers.CharField(
        required=False, write_only=True, style={"input_type": "password"}
    )
    otp_token = serializers.CharField(
        required=False,
        help_text=gettext_lazy(
            "二要素認証が必要な利用者は、認証アプリのコードまたはバックアップコード"
        ),
    )
    name = serializers.CharField(
        required=False,
        max_length=80,
        help_text=gettext_lazy("トークンの名前(用途)。省略すると発行日時から付けます。"),
    )
    expires_in_days = serializers.IntegerField(required=False, min_value=1, max_value=3650)


class ApiTokenSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = tokens.ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "expires_at"]
        read_only_fields = fields


class TokenResponseSerializer(ApiTokenSerializer):
    token = serializers.CharField(help_text=gettext_lazy("この応答でだけ返す鍵"))
    staff = serializers.UUIDField(source="user.public_id")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token", "staff"]
        read_only_fields = fields


class TokenView(APIView):
    """Issue a named API token (the user's other tokens stay valid) for the logged-in user (session) or for
    username + password. A user who needs two-factor must also send `otp_token` — a password
    alone never yields a token for them; a session must already be verified (the middleware
    answers 403 otp_required otherwise)."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            201: TokenResponseSerializer,
            400: OpenApiResponse(ErrorSerializer),
            403: OpenApiResponse(ErrorSerializer),
            429: OpenApiResponse(ErrorSerializer, description=gettext_lazy("試行が多すぎる")),
        },
    )
    def post(self, request):
        body = TokenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if data.get("username"):
            user = self._password_user(request, data)
        elif request.user.is_authenticated:
            user = request.user
        else:
            raise exceptions.ValidationError(
                {"username": [_("ログインIDとパスワードを入力してください。")]}
            )
        require(user, "api.token")
        name = data.get("name") or "API " + timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
        token, key = tokens.api_token_issue(
            user=user, actor=user, name=name, expires_in_days=data.get("expires_in_days")
        )
        token.token = key
        return Response(TokenResponseSerializer(token).data, status=status.HTTP_201_CREATED)

    def _password_user(self, request, data):
        if not data.get("password"):
            raise exceptions.ValidationError({"password": [_("パスワードを入力してください。")]})
        django_request = request._request
        user = authenticate(django_request, username=data["username"], password=data["password"])
        if user is None:
            if getattr(django_request, "axes_locked_out", False):
                raise LockedOut()
            # Same answer for an unknown account and a wrong password.
            raise InvalidCredentials()
        if services_auth.user_needs_otp(user):
            if not data.get("otp_token"):
                raise OTPRequired()
            result = services_auth.otp_verify(user=user, token=data["otp_token"])
            if result.throttled:
                raise exceptions.Throttled(
                    detail=_("認証コードの試行が多すぎます。少し待ってから再度お試しください。")
                )
            if not result.ok:
                raise OTPRequired(_("認証コードが正しくありません。"))
        return user


class InvalidCredentials(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_credentials"
    default_detail = gettext_lazy("ログインIDまたはパスワードが正しくありません。")


class LockedOut(exceptions.PermissionDenied):
    default_code = "locked_out"
    default_detail = gettext_lazy(
        "ログインの失敗が続いたため、一時的にロックされています。時間をおいてお試しください。"
    )


class OTPRequired(exceptions.PermissionDenied):
    default_code = "otp_required"
    default_detail = gettext_lazy("二要素認証のコード(otp_token)が必要です。")


class ApiTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The caller's own active API tokens (names and first characters, never the keys);
    DELETE revokes one. Nobody sees or revokes another user's tokens (404)."""

    serializer_class = ApiTokenSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_converter = "uuid"
    queryset = tokens.ApiToken.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return tokens.ApiToken.objects.none()
        return tokens.api_tokens_of(self.request.user)

    @extend_schema(responses={204: None})
    def destroy(self, request, *args, **kwargs):
        tokens.api_token_revoke(token=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
