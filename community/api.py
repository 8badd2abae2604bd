"""REST API of community work: the same services and policy as the HTML views.

Resources (社会資源 / 拠点・居場所: the shared catalogue), sessions (tallies), community issues,
platforms/courses, agreements, volunteers (personal records: audited reads), and the per-area
figures of the area view. Ids are public UUIDs; areas and agencies are referenced by code.
"""

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.api import (
    ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    AuditedListMixin,
    Conflict,
    PolicyPermission,
    audited_read,
)
from agencies.models import Agency, Area, User
from agencies.policy import require

from . import selectors, services
from . import services_activity as sa
from .choices import Function, FundingSource, HostExperience, TargetGroup
from .models import Agreement, CommunityIssue, Program, Resource, Session, Volunteer
from .policy import volunteer_agency_ids


def _run(fn, **kwargs):
    try:
        return fn(**kwargs)
    except services.StaleVersion as exc:
        raise Conflict(exc.messages[0]) from None


def _codes(choices, label):
    return serializers.ListField(
        child=serializers.ChoiceField(choices=choices.choices), required=False, help_text=label
    )


class ResourceSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    area = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Area.objects.filter(level=Area.Level.SPHERE),
        required=False,
        allow_null=True,
    )
    small_area = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Area.objects.filter(level=Area.Level.DISTRICT),
        required=False,
        allow_null=True,
    )
    operating_agency = serializers.SlugRelatedField(
        slug_field="code", queryset=Agency.objects.all(), required=False, allow_null=True
    )
    csw = serializers.SlugRelatedField(
        slug_field="public_id", queryset=User.objects.all(), required=False, allow_null=True
    )
    target_groups = _codes(TargetGroup, gettext_lazy("対象のコード"))
    functions = _codes(Function, gettext_lazy("機能のコード"))
    host_experience = _codes(HostExperience, gettext_lazy("受け入れ経験のコード"))
    funding_sources = _codes(FundingSource, gettext_lazy("財源のコード"))
    interest_tags = serializers.ListField(
        child=serializers.CharField(max_length=30), required=False
    )
    origin_issue = serializers.SlugRelatedField(
        slug_field="public_id",
        queryset=CommunityIssue.objects.all(),
        required=False,
        allow_null=True,
    )
    origin_program = serializers.SlugRelatedField(
        slug_field="public_id", queryset=Program.objects.all(), required=False, allow_null=True
    )
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text=gettext_lazy("更新時は必須: 取得したときの版。古い版なら 409 を返します。"),
    )

    class Meta:
        model = Resource
        fields = ["id", *services.RESOURCE_FIELDS, "version", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def validate(self, attrs):
        if self.instance is not None and "version" not in attrs:
            raise serializers.ValidationError(
                {"version": gettext_lazy("更新時は版(version)が必要です。")}
            )
        return attrs


RESOURCE_FILTERS = [
    OpenApiParameter(name, OpenApiTypes.STR, description=desc)
    for name, desc in (
        ("q", gettext_lazy("名称・ふりがな・運営者")),
        ("kind", gettext_lazy("種類のコード")),
        ("area", gettext_lazy("圏域コード")),
        ("small_area", gettext_lazy("小地域コード")),
        ("operator_kind", gettext_lazy("運営主体のコード")),
        ("status", gettext_lazy("状態のコード")),
        ("function", gettext_lazy("機能のコード")),
        ("target", gettext_lazy("対象のコード")),
        ("places", gettext_lazy("1: 拠点・居場所のみ、0: それ以外のみ(省略: すべて)")),
        ("new", gettext_lazy("1: 今年度に始まったもの")),
    )
]


@extend_schema_view(
    list=extend_schema(
        parameters=RESOURCE_FILTERS, responses={200: ResourceSerializer(many=True), **READ_ERRORS}
    ),
    retrieve=extend_schema(responses={200: ResourceSerializer, **READ_ERRORS}),
    create=extend_schema(responses={201: ResourceSerializer, **ERRORS}),
    update=extend_schema(responses={200: ResourceSerializer, **WRITE_ERRORS}),
    partial_update=extend_schema(responses={200: ResourceSerializer, **WRITE_ERRORS}),
)
class ResourceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The shared resource catalogue (社会資源 / 拠点・居場所). No personal data."""

    serializer_class = ResourceSerializer
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    policy_actions = {
        "list": "resource.list",
        "retrieve": "resource.view",
        "create": "resource.create",
        "update": "resource.update",
        "partial_update": "resource.update",
    }
    lookup_field = "public_id"
    lookup_value_converter = "uuid"
    queryset = Resource.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Resource.objects.none()
        qs = Resource.objects.for_list().select_related("origin_issue", "origin_program")
        if self.action == "list":
            params = {
                k: self.request.query_params.get(k, "")[:100]
                for k in (
                    "q",
                    "kind",
                    "area",
                    "small_area",
                    "operator_kind",
                    "status",
                    "function",
                    "target",
                    "places",
                    "new",
                )
            }
            qs = selectors.filter_places(qs, params)
        return qs.order_by("kana", "pk")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.resource_create(actor=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        serializer.instance = _run(
            services.resource_update,
            actor=self.request.user,
            resource=Resource.objects.get(pk=serializer.instance.pk),
            expected_version=version,
            **data,
        )


class SessionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    resource = serializers.SlugRelatedField(slug_field="public_id", queryset=Resource.objects.all())
    idempotency_key = serializers.UUIDField(
        required=False,
        write_only=True,
        help_text=gettext_lazy("同じ値で再送すると、最初に記録した開催を返します(二重登録防止)。"),
    )

    class Meta:
        model = Session
        fields = [
            "id",
            "resource",
            *sa.SESSION_FIELDS,
            "participants",
            "idempotency_key",
            "version",
            "recorded_at",
        ]
        read_only_fields = ["participants", "version", "recorded_at"]
        # The service refuses a second tally of the same place and day at held_on, and answers a
        # resent idempotency_key with the first session: no generated unique-together check.
        validators = []


RESOURCE_PARAM = OpenApiParameter(
    "resource", OpenApiTypes.UUID, description=gettext_lazy("拠点・居場所の ID で絞り込む")
)


@extend_schema_view(
    list=extend_schema(
        parameters=[RESOURCE_PARAM], responses={200: SessionSerializer(many=True), **READ_ERRORS}
    ),
    retrieve=extend_schema(responses={200: SessionSerializer, **READ_ERRORS}),
    create=extend_schema(responses={201: SessionSerializer, **ERRORS}),
    destroy=extend_schema(responses={204: None, **READ_ERRORS}),
)
class SessionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Sessions of places with their anonymous tallies (counts only, no names). DELETE removes a
    tally recorded by mistake (whoever may record the place's tallies)."""

    serializer_class = SessionSerializer
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    policy_actions = {
        "list": "session.list",
        "retrieve": "session.view",
        "create": "session.list",
        "destroy": "session.delete",
    }
    lookup_field = "public_id"
    lookup_value_converter = "uuid"
    queryset = Session.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Session.objects.none()
        qs = Session.objects.select_related("resource").order_by("-held_on", "-pk")
        resource = self.request.query_params.get("resource")
        if self.action == "list" and resource:
            try:
                qs = qs.filter(
                    resource__public_id=serializers.UUIDField().to_internal_value(resource)
                )
            except serializers.ValidationError:
                qs = qs.none()
        return qs

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        resource = data.pop("resource")
        key = data.pop("idempotency_key", None)
        serializer.instance = sa.session_record(
            actor=self.request.user, resource=resource, idempotency_key=key, **data
        )

    def perform_destroy(self, instance):
        sa.session_delete(actor=self.request.user, session=instance)


class IssueSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    area = serializers.SlugRelatedField(
        slug_field="code", queryset=Area.objects.all(), required=False, allow_null=True
    )
    owner_agency = serializers.SlugRelatedField(
        slug_field="code", queryset=Agency.objects.all(), required=False, allow_null=True
    )
    source_resource = serializers.SlugRelatedField(
        slug_field="public_id", queryset=Resource.objects.all(), required=False, allow_null=True
    )
    created_resources = serializers.SlugRelatedField(
        slug_field="public_id", many=True, read_only=True
    )

    class Meta:
        model = CommunityIssue
        fields = [
            "id",
            "title",
            "description",
            "source",
            "area",
            "owner_agency",
            "source_resource",
            "raised_on",
            "status",
            "created_resources",
        ]
        read_only_fields = ["status"]


@extend_schema_view(
    list=extend_schema(responses={200: IssueSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(responses={200: IssueSerializer, **READ_ERRORS}),
    create=extend_schema(responses={201: IssueSerializer, **ERRORS}),
)
class CommunityIssueViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Community issues (地域課題) and the resources they led to. The case an issue came from is
    not exposed here (it is shown on the case's own timeline to those who may see the case)."""

    serializer_class = IssueSerializer
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    policy_actions = {
        "list": "communityissue.list",
        "retrieve": "communityissue.view",
        "create": "communityissue.create",
    }
    lookup_field = "public_id"
    lookup_value_converter = "uuid"
    queryset = CommunityIssue.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CommunityIssue.objects.none()
        return (
            CommunityIssue.objects.select_related("area", "owner_agency", "source_resource")
            .prefetch_related("created_resources")
            .order_by("-raised_on", "-pk")
        )

    def perform_create(self, serializer):
        serializer.instance = sa.community_issue_raise(
            actor=self.request.user, **serializer.validated_data
        )


class ProgramSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    organiser = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Program
        fields = ["id", "kind", "name", "purpose", "area", "organiser", "started_on", "active"]


@extend_schema_view(
    list=extend_schema(responses={200: ProgramSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(responses={200: ProgramSerializer, **READ_ERRORS}),
)
class ProgramViewSet(viewsets.ReadOnlyModelViewSet):
    """Platforms (協議の場), courses and awareness events."""

    serializer_class = ProgramSerializer
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    policy_actions = {"list": "program.list", "retrieve": "program.view"}
    lookup_field = "public_id"
    lookup_value_converter = "uuid"
    queryset = Program.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Program.objects.none()
        return Program.objects.select_related("area", "organiser").order_by("kind", "pk")


class AgreementSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    our_agency = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Agreement
        fields = [
            "id",
            "partner_name",
            "partner_kind",
            "kind",
            "title",
            "our_agency",
            "signed_on",
            "ends_on",
            "partner_does",
            "we_do",
        ]


@extend_schema_view(
    list=extend_schema(responses={200: AgreementSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(responses={200: AgreementSerializer, **READ_ERRORS}),
)
class AgreementViewSet(viewsets.ReadOnlyModelViewSet):
    """Agreements with companies and organisations (見守り協定 …)."""

    serializer_class = AgreementSerializer
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    policy_actions = {"list": "agreement.list", "retrieve": "agreement.view"}
    lookup_field = "public_id"
    lookup_value_converter = "uuid"
    queryset = Agreement.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Agreement.objects.none()
        return Agreement.objects.select_related("our_agency").order_by("-signed_on", "pk")


class VolunteerSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    coordinator_agency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    areas = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Volunteer
        fields = [
            "id",
            "name",
            "kana",
            "phone",
            "email",
            "coordinator_agency",
            "areas",
            "skills",
            "availability",
            "registered_on",
            "active",
            "was_supported",
        ]


@extend_schema_view(
    list=extend_schema(responses={200: VolunteerSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(responses={200: VolunteerSerializer, **READ_ERRORS}),
)
class VolunteerViewSet(AuditedListMixin, viewsets.ReadOnlyModelViewSet):
    """Volunteers' own records: the registering agency's community staff and CSWs; every read is
    audited."""

    serializer_class = VolunteerSerializer
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    policy_actions = {"list": "volunteer.list", "retrieve": "volunteer.view"}
    list_audit_action = "volunteer.list"
    lookup_field = "public_id"
    lookup_value_converter = "uuid"
    queryset = Volunteer.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Volunteer.objects.none()
        allowed = volunteer_agency_ids(self.request.user)
        qs = Volunteer.objects.select_related("coordinator_agency").prefetch_related("areas")
        if allowed is not None:
            qs = qs.filter(coordinator_agency_id__in=allowed)
        return qs.order_by("kana", "pk")

    def retrieve(self, request, *args, **kwargs):
        volunteer = self.get_object()
        audited_read(request, "volunteer.view", volunteer, changes=["api"])
        return Response(self.get_serializer(volunteer).data)


class AreaFigureSerializer(serializers.Serializer):
    area = serializers.CharField(help_text=gettext_lazy("圏域・小地域のコード"))
    name = serializers.CharField()
    places = serializers.IntegerField()
    sessions = serializers.IntegerField()
    sessions_per_month = serializers.FloatField()
    participants = serializers.IntegerField()
    open_cases = serializers.IntegerField()


class AreaFiguresView(APIView):
    """Per-area figures of the area view over the last 12 months (counts only)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "level",
                OpenApiTypes.STR,
                enum=["sphere", "district"],
                description=gettext_lazy("sphere: 圏域(既定)、district: 小地域"),
            )
        ],
        responses={200: AreaFigureSerializer(many=True), **READ_ERRORS},
    )
    def get(self, request):
        import datetime as dt

        from django.utils import timezone

        require(request.user, "map.view")
        level = request.query_params.get("level", "sphere")
        if level not in ("sphere", "district"):
            level = "sphere"
        end = timezone.localdate()
        start = (end.replace(day=1) - dt.timedelta(days=335)).replace(day=1)
        rows = selectors.area_figures(level=level, start=start, end=end)
        data = [
            {
                "area": r.area.code,
                "name": r.area.name,
                "places": r.places,
                "sessions": r.sessions,
                "sessions_per_month": r.sessions_per_month,
                "participants": r.participants,
                "open_cases": r.open_cases,
            }
            for r in rows
        ]
        return Response(AreaFigureSerializer(data, many=True).data)
