"""REST API of the meetings app: the same services and policy as the HTML views.

Bodies, members, pledges, meetings (with actions: fix the agenda, attendance, held, minutes,
approval), agenda items (paper on retrieve, audited; decision as an action) and decisions.
"""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from access.models import LegalBasis
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
from agencies.policy import check, require
from audit.services import record

from . import policy, selectors, services
from .choices import AttendanceStatus, DecisionKind, WrittenAnswerKind
from .models import (
    AgendaItem,
    BodyMember,
    ConfidentialityPledge,
    Decision,
    Meeting,
    MeetingBody,
    RoleAssignment,
)


def run(fn, **kwargs):
    """Call a service; an optimistic-lock conflict becomes 409, other refusals 400."""
    try:
        return fn(**kwargs)
    except services.AgendaConflict as exc:
        raise Conflict(exc.messages[0]) from None


def _of(name: str, description: str) -> OpenApiParameter:
    """The required `?body=` / `?meeting=` query parameter of the nested lists."""
    return OpenApiParameter(name, OpenApiTypes.UUID, required=True, description=description)


BODY_PARAM = _of("body", gettext_lazy("会議体の ID"))
MEETING_PARAM = _of("meeting", gettext_lazy("会議の ID"))


# --- serializers ------------------------------------------------------------------------------


class MeetingBodySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    convenor = serializers.SlugRelatedField(slug_field="code", queryset=Agency.objects.all())
    area = serializers.SlugRelatedField(
        slug_field="code", queryset=Area.objects.all(), required=False, allow_null=True
    )
    legal_basis = serializers.CharField(read_only=True)
    basis = serializers.SlugRelatedField(
        slug_field="code",
        queryset=LegalBasis.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="情報共有の根拠(access.LegalBasis の code)。省略すると種別から決まります。",
    )
    recurrence_label = serializers.CharField(read_only=True)

    class Meta:
        model = MeetingBody
        fields = [
            "id",
            "name",
            "kind",
            "designated_from",
            "own_basis",
            "basis",
            "legal_basis",
            "purpose",
            "convenor",
            "area",
            "recurrence",
            "recurrence_label",
            "recur_week",
            "recur_weekday",
            "recur_day",
            "recur_interval",
            "default_start_time",
            "default_duration_minutes",
            "default_place",
            "avoid_holidays",
            "submission_deadline_days",
            "active",
        ]


class BodyMemberSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    body = serializers.SlugRelatedField(slug_field="public_id", queryset=MeetingBody.objects.all())
    user = serializers.SlugRelatedField(
        slug_field="public_id",
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )
    agency = serializers.SlugRelatedField(
        slug_field="code", queryset=Agency.objects.all(), required=False, allow_null=True
    )
    display_name = serializers.CharField(read_only=True)
    has_current_pledge = serializers.SerializerMethodField()

    class Meta:
        model = BodyMember
        fields = [
            "id",
            "body",
            "user",
            "agency",
            "external_name",
            "external_organisation",
            "display_name",
            "title",
            "role",
            "email",
            "joined_on",
            "left_on",
            "has_current_pledge",
        ]
        read_only_fields = ["left_on"]

    def get_has_current_pledge(self, obj) -> bool:
        return getattr(obj, "current_pledge", None) is not None


class PledgeSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    member = serializers.SlugRelatedField(slug_field="public_id", queryset=BodyMember.objects.all())
    document = serializers.FileField(write_only=True, required=False)
    has_document = serializers.SerializerMethodField()

    class Meta:
        model = ConfidentialityPledge
        fields = [
            "id",
            "member",
            "fiscal_year",
            "signed_on",
            "document",
            "has_document",
            "document_type",
            "note",
        ]
        read_only_fields = ["fiscal_year", "document_type"]

    def get_has_document(self, obj) -> bool:
        return bool(obj.document)


class MeetingSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    body = serializers.SlugRelatedField(slug_field="public_id", queryset=MeetingBody.objects.all())
    body_name = serializers.CharField(source="body.name", read_only=True)
    body_kind = serializers.CharField(source="body.kind", read_only=True)
    submission_deadline = serializers.DateField(read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "body",
            "body_name",
            "body_kind",
            "starts_at",
            "duration_minutes",
            "place",
            "format",
            "online",
            "online_note",
            "status",
            "version",
            "submission_deadline",
        ]
        read_only_fields = ["status", "version"]


class RoleSerializer(serializers.Serializer):
    owner_agency = serializers.SlugRelatedField(slug_field="code", queryset=Agency.objects.all())
    owner_user = serializers.SlugRelatedField(
        slug_field="public_id", queryset=User.objects.all(), required=False, allow_null=True
    )
    task = serializers.CharField(max_length=200)
    due_on = serializers.DateField(required=False, allow_null=True)


class DecisionRoleSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    owner_agency = serializers.CharField(help_text=gettext_lazy("機関コード"))
    owner_user = serializers.UUIDField(allow_null=True)
    task = serializers.CharField()
    due_on = serializers.DateField(allow_null=True)
    plan_number = serializers.IntegerField(
        allow_null=True, help_text=gettext_lazy("プランの項目になった役割: そのプランの版")
    )
    done_on = serializers.DateField(allow_null=True)


class DecisionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    item = serializers.UUIDField(source="item.public_id", read_only=True)
    roles = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = [
            "id",
            "item",
            "kind",
            "text",
            "changes",
            "decided_on",
            "transition",
            "recorded_at",
            "roles",
        ]

    @extend_schema_field(DecisionRoleSerializer(many=True))
    def get_roles(self, obj) -> list[dict]:
        return [
            {
                "id": r.public_id,
                "owner_agency": r.owner_agency.code,
                "owner_user": str(r.owner_user.public_id) if r.owner_user else None,
                "task": r.task,
                "due_on": r.due_on,
                "plan_number": r.plan_item.plan.number if r.plan_item_id else None,
                "done_on": r.done_on,
            }
            for r in obj.roles.all()
        ]


class RoleAssignmentSerializer(serializers.ModelSerializer):
    """A role agreed at a meeting, followed as a task by its owner (or a plan item)."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    decision = serializers.UUIDField(source="decision.public_id", read_only=True)
    item = serializers.UUIDField(source="decision.item.public_id", read_only=True)
    meeting = serializers.UUIDField(source="decision.item.meeting.public_id", read_only=True)
    case_number = serializers.CharField(
        source="decision.item.case.number", read_only=True, default=None
    )
    owner_agency = serializers.CharField(source="owner_agency.code", read_only=True)
    owner_user = serializers.UUIDField(source="owner_user.public_id", read_only=True, default=None)
    plan_number = serializers.IntegerField(
        source="plan_item.plan.number", read_only=True, default=None
    )
    done_by = serializers.UUIDField(source="done_by.public_id", read_only=True, default=None)

    class Meta:
        model = RoleAssignment
        fields = [
            "id",
            "decision",
            "item",
            "meeting",
            "case_number",
            "owner_agency",
            "owner_user",
            "task",
            "due_on",
            "plan_number",
            "done_on",
            "done_by",
        ]
        read_only_fields = fields


class RoleCompleteSerializer(serializers.Serializer):
    done_on = serializers.DateField(required=False, allow_null=True)


class AgendaItemSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    meeting = serializers.UUIDField(source="meeting.public_id", read_only=True)
    case_number = serializers.CharField(source="case.number", read_only=True, default=None)
    decision_kind = serializers.SerializerMethodField()

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "meeting",
            "order",
            "time_box_minutes",
            "kind",
            "title",
            "case_number",
            "decision_kind",
        ]

    @extend_schema_field(
        serializers.ChoiceField(choices=DecisionKind.choices, allow_null=True, read_only=True)
    )
    def get_decision_kind(self, obj) -> str | None:
        try:
            return obj.decision.kind
        except Decision.DoesNotExist:
            return None


class AgendaItemDetailSerializer(AgendaItemSerializer):
    paper = serializers.CharField(read_only=True)
    notes = serializers.CharField(read_only=True)
    next_review_on = serializers.DateField(read_only=True)
    basis = serializers.SerializerMethodField()

    class Meta(AgendaItemSerializer.Meta):
        fields = [*AgendaItemSerializer.Meta.fields, "paper", "notes", "next_review_on", "basis"]

    def get_basis(self, obj) -> str:
        return self.context.get("basis", "")


class AgendaItemCreateSerializer(serializers.Serializer):
    meeting = serializers.SlugRelatedField(
        slug_field="public_id", queryset=Meeting.objects.select_related("body")
    )
    source = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="plan:<uuid> / evaluation:<uuid> / request:<uuid>",
    )
    kind = serializers.CharField(required=False, allow_blank=True)
    title = serializers.CharField(required=False, allow_blank=True)
    time_box_minutes = serializers.IntegerField(min_value=1, max_value=180, default=15)
    expected_version = serializers.IntegerField(required=False, allow_null=True)


class DecisionCreateSerializer(serializers.Serializer):
    kind = serializers.CharField()
    decided_on = serializers.DateField(required=False, allow_null=True)
    text = serializers.CharField(required=False, allow_blank=True, default="")
    changes = serializers.CharField(required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None)
    next_review_on = serializers.DateField(required=False, allow_null=True)
    roles = RoleSerializer(many=True, required=False)
    lead_agency = serializers.SlugRelatedField(
        slug_field="code", queryset=Agency.objects.all(), required=False, allow_null=True
    )
    closure_reason = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    issue_title = serializers.CharField(required=False, allow_blank=True, default="")
    issue_description = serializers.CharField(required=False, allow_blank=True, default="")


class WrittenAnswerSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    member = serializers.UUIDField(source="member.public_id", read_only=True)
    member_name = serializers.CharField(source="member.display_name", read_only=True)
    answer = serializers.ChoiceField(choices=WrittenAnswerKind.choices, read_only=True)
    comment = serializers.CharField(read_only=True)
    answered_at = serializers.DateTimeField(read_only=True)


class WrittenAnswerCreateSerializer(serializers.Serializer):
    answer = serializers.ChoiceField(choices=WrittenAnswerKind.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    member = serializers.SlugRelatedField(
        slug_field="public_id",
        queryset=BodyMember.objects.all(),
        required=False,
        allow_null=True,
        help_text="事務局が紙の回答を記録するときの構成員(本人の回答では省略)",
    )


class VersionSerializer(serializers.Serializer):
    expected_version = serializers.IntegerField()


class AttendanceRowSerializer(serializers.Serializer):
    member = serializers.SlugRelatedField(slug_field="public_id", queryset=BodyMember.objects.all())
    status = serializers.ChoiceField(choices=AttendanceStatus.choices)
    proxy_name = serializers.CharField(required=False, allow_blank=True, default="")


class ExternalAttendeeSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    organisation = serializers.CharField(max_length=150)


class AttendanceSerializer(serializers.Serializer):
    members = AttendanceRowSerializer(many=True)
    externals = ExternalAttendeeSerializer(many=True, required=False)


class MinutesSerializer(serializers.Serializer):
    minutes = serializers.CharField(allow_blank=True)


# --- viewsets ---------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(responses={200: MeetingBodySerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(responses={200: MeetingBodySerializer, **READ_ERRORS}),
    create=extend_schema(responses={201: MeetingBodySerializer, **ERRORS}),
    update=extend_schema(responses={200: MeetingBodySerializer, **ERRORS}),
    partial_update=extend_schema(responses={200: MeetingBodySerializer, **ERRORS}),
)
class MeetingBodyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = MeetingBodySerializer
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    policy_actions = {
        "list": "meetingbody.list",
        "retrieve": "meetingbody.view",
        "create": "meetingbody.create",
        "update": "meetingbody.manage",
        "partial_update": "meetingbody.manage",
    }
    lookup_field = "public_id"
    lookup_value_converter = "uuid"
    queryset = MeetingBody.objects.none()  # the schema's model; requests use get_queryset()
    filterset_fields = ["kind", "active"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MeetingBody.objects.none()
        return selectors.bodies_visible_to(self.request.user).order_by("kind", "name")

    def perform_create(self, serializer):
        serializer.instance = services.body_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        body = MeetingBody.objects.get(pk=serializer.instance.pk)
        serializer.instance = services.body_update(
            body=body, actor=self.request.user, **serializer.validated_data
        )


@extend_schema_view(
    list=extend_schema(
        parameters=[BODY_PARAM], responses={200: BodyMemberSerializer(many=True), **ERRORS}
    ),
    retrieve=extend_schema(responses={200: BodyMemberSerializer, **READ_ERRORS}),
    create=extend_schema(responses={201: BodyMemberSerializer, **ERRORS}),
    destroy=extend_schema(responses={204: None, **READ_ERRORS}),
)
class BodyMemberViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Members of one body (`?body=<uuid>` on list). DELETE ends the seat (history kept)."""

    serializer_class = BodyMemberSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "public_id"
    lookup_value_converter = "uuid"

    def _body(self):
        public_id = self.request.query_params.get("body")
        if not public_id:
            raise exceptions.ValidationError({"body": ["会議体(body)を指定してください。"]})
        try:
            return get_object_or_404(MeetingBody, public_id=public_id)
        except ValidationError:
            raise exceptions.ValidationError(
                {"body": ["会議体の指定が正しくありません。"]}
            ) from None

    def list(self, request, *args, **kwargs):
        body = self._body()
        require(request.user, "meetingbody.members", body)
        members = selectors.members_with_pledges(body)
        page = self.paginate_queryset(members)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_queryset(self):
        return BodyMember.objects.select_related("body", "body__convenor", "user", "agency")

    def retrieve(self, request, *args, **kwargs):
        member = self.get_object()
        require(request.user, "meetingbody.members", member.body)
        return Response(self.get_serializer(member).data)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        body = data.pop("body")
        data.pop("left_on", None)
        serializer.instance = services.member_add(body=body, actor=self.request.user, **data)

    def perform_destroy(self, instance):
        services.member_remove(member=instance, actor=self.request.user)


@extend_schema_view(
    list=extend_schema(
        parameters=[BODY_PARAM], responses={200: PledgeSerializer(many=True), **ERRORS}
    ),
    create=extend_schema(responses={201: PledgeSerializer, **ERRORS}),
)
class PledgeViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Pledges of one body's members (`?body=<uuid>`); create with multipart for the scan."""

    serializer_class = PledgeSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "public_id"
    lookup_value_converter = "uuid"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ConfidentialityPledge.objects.none()
        public_id = self.request.query_params.get("body")
        if not public_id:
            raise exceptions.ValidationError({"body": ["会議体(body)を指定してください。"]})
        body = get_object_or_404(MeetingBody, public_id=public_id)
        require(self.request.user, "meetingbody.members", body)
        return (
            ConfidentialityPledge.objects.filter(member__body=body)
            .select_related("member")
            .order_by("-fiscal_year", "pk")
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        member = data.pop("member")
        serializer.instance = services.pledge_record(member=member, actor=self.request.user, **data)


# Every meeting action answers with the meeting.
MEETING_ACTION = {200: MeetingSerializer, **WRITE_ERRORS}


@extend_schema_view(
    list=extend_schema(responses={200: MeetingSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(responses={200: MeetingSerializer, **READ_ERRORS}),
    create=extend_schema(responses={201: MeetingSerializer, **ERRORS}),
    fix_agenda=extend_schema(request=VersionSerializer, responses=MEETING_ACTION),
    attendance=extend_schema(request=AttendanceSerializer, responses=MEETING_ACTION),
    held=extend_schema(request=None, responses=MEETING_ACTION),
    minutes=extend_schema(request=MinutesSerializer, responses=MEETING_ACTION),
    approve_minutes=extend_schema(request=None, responses=MEETING_ACTION),
)
class MeetingViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = MeetingSerializer
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    policy_actions = {
        "list": "meeting.list",
        "retrieve": "meeting.view",
        "create": "meeting.list",
        "fix_agenda": "meeting.manage",
        "attendance": "meeting.manage",
        "held": "meeting.manage",
        "minutes": "meeting.manage",
        "approve_minutes": "meeting.approve_minutes",
    }
    lookup_field = "public_id"
    lookup_value_converter = "uuid"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Meeting.objects.none()
        if self.action == "list":
            return selectors.meetings_for_user(self.request.user).order_by("starts_at")
        # Any meeting may be addressed; the policy decides (not "my meetings" only).
        return Meeting.objects.select_related("body", "body__convenor")

    def retrieve(self, request, *args, **kwargs):
        meeting = self.get_object()
        audited_read(request, "meeting.view", meeting)
        return Response(self.get_serializer(meeting).data)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        body = data.pop("body")
        serializer.instance = services.meeting_schedule(body=body, actor=self.request.user, **data)

    @action(
        detail=True, methods=["post"], url_path="fix-agenda", serializer_class=VersionSerializer
    )
    def fix_agenda(self, request, public_id=None):
        meeting = self.get_object()
        ser = VersionSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        run(
            services.agenda_fix,
            meeting=meeting,
            actor=request.user,
            expected_version=ser.validated_data["expected_version"],
        )
        return Response(MeetingSerializer(meeting).data)

    @action(detail=True, methods=["post"], serializer_class=AttendanceSerializer)
    def attendance(self, request, public_id=None):
        meeting = self.get_object()
        ser = AttendanceSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        rows = {
            r["member"]: (r["status"], r.get("proxy_name", ""), "")
            for r in ser.validated_data["members"]
        }
        services.attendance_record(
            meeting=meeting,
            actor=request.user,
            members=rows,
            externals=ser.validated_data.get("externals", []),
        )
        return Response(MeetingSerializer(meeting).data)

    @action(detail=True, methods=["post"])
    def held(self, request, public_id=None):
        meeting = self.get_object()
        run(services.meeting_mark_held, meeting=meeting, actor=request.user)
        return Response(MeetingSerializer(meeting).data)

    @action(detail=True, methods=["post"], serializer_class=MinutesSerializer)
    def minutes(self, request, public_id=None):
        meeting = self.get_object()
        ser = MinutesSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.minutes_update(
            meeting=meeting, actor=request.user, minutes=ser.validated_data["minutes"]
        )
        return Response(MeetingSerializer(meeting).data)

    @action(detail=True, methods=["post"], url_path="approve-minutes")
    def approve_minutes(self, request, public_id=None):
        meeting = self.get_object()
        run(services.minutes_approve, meeting=meeting, actor=request.user)
        return Response(MeetingSerializer(meeting).data)


@extend_schema_view(
    list=extend_schema(
        parameters=[MEETING_PARAM], responses={200: AgendaItemSerializer(many=True), **ERRORS}
    ),
    retrieve=extend_schema(responses={200: AgendaItemDetailSerializer, **READ_ERRORS}),
    create=extend_schema(
        request=AgendaItemCreateSerializer, responses={201: AgendaItemSerializer, **WRITE_ERRORS}
    ),
    decision=extend_schema(
        request=DecisionCreateSerializer, responses={201: DecisionSerializer, **WRITE_ERRORS}
    ),
)
class AgendaItemViewSet(
    AuditedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Items of one meeting (`?meeting=<uuid>`). Retrieve returns the paper (audited, with the
    basis); a 支援会議 paper needs a current pledge. POST adds an item; POST …/decision/ records
    the decision and moves the case."""

    list_audit_action = "agendaitem.list"

    serializer_class = AgendaItemSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "public_id"
    lookup_value_converter = "uuid"

    def get_queryset(self):
        return AgendaItem.objects.select_related(
            "meeting",
            "meeting__body",
            "meeting__body__convenor",
            "case",
            "case__lead_agency",
            "decision",
            "subject_type",
            "household",
            "request",
        )

    def list(self, request, *args, **kwargs):
        public_id = request.query_params.get("meeting")
        if not public_id:
            raise exceptions.ValidationError({"meeting": ["会議(meeting)を指定してください。"]})
        meeting = get_object_or_404(
            Meeting.objects.select_related("body", "body__convenor"), public_id=public_id
        )
        require(request.user, "meeting.view", meeting)
        items = list(self.get_queryset().filter(meeting=meeting).order_by("order", "pk"))
        if not check(request.user, "meeting.manage", meeting):
            # An item is for its meeting's members and its case team (issue 9 item 5): others
            # do not learn its title or that it exists.
            items = [i for i in items if check(request.user, "agendaitem.view", i)]
        page = self.paginate_queryset(items)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        item = self.get_object()
        decision = audited_read(request, "agendaitem.view", item)
        ser = AgendaItemDetailSerializer(item, context={"basis": policy.ui_basis(decision)})
        return Response(ser.data)

    def create(self, request, *args, **kwargs):
        ser = AgendaItemCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        item = run(
            services.agenda_item_add,
            meeting=data["meeting"],
            actor=request.user,
            source=data.get("source", ""),
            kind=data.get("kind", ""),
            title=data.get("title", ""),
            time_box_minutes=data["time_box_minutes"],
            expected_version=data.get("expected_version"),
        )
        return Response(AgendaItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], serializer_class=DecisionCreateSerializer)
    def decision(self, request, public_id=None):
        item = self.get_object()
        # Before reading the body: a refusal must not depend on what was sent (an invalid body
        # from someone who may not open the item answers 404 like a missing item, not 400).
        require(request.user, "agendaitem.edit", item)
        ser = DecisionCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        data["roles"] = data.get("roles", [])
        data["closure_reason"] = data.get("closure_reason") or None
        decision = run(services.item_record_decision, item=item, actor=request.user, **data)
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=WrittenAnswerCreateSerializer,
        responses={201: WrittenAnswerSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], serializer_class=WrittenAnswerCreateSerializer)
    def answer(self, request, public_id=None):
        """書面開催: a member answers the item (賛成 / 反対 / 意見あり), or the secretariat
        records a member's paper answer (`member`). Refused outside a written meeting whose
        agenda is fixed and not yet closed."""
        from .written import written_answer_record

        item = self.get_object()
        require(request.user, "meeting.view", item.meeting)
        ser = WrittenAnswerCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        row = run(written_answer_record, item=item, actor=request.user, **ser.validated_data)
        return Response(WrittenAnswerSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: WrittenAnswerSerializer(many=True), **READ_ERRORS})
    @action(detail=True, methods=["get"], pagination_class=None)
    def answers(self, request, public_id=None):
        """書面開催: the members' answers to the item (those who may open the item)."""
        from .models import WrittenAnswer

        item = self.get_object()
        require(request.user, "agendaitem.view", item)
        rows = WrittenAnswer.objects.filter(item=item).select_related("member__user")
        return Response(WrittenAnswerSerializer(rows, many=True).data)


@extend_schema_view(
    list=extend_schema(
        parameters=[MEETING_PARAM], responses={200: DecisionSerializer(many=True), **ERRORS}
    ),
    retrieve=extend_schema(responses={200: DecisionSerializer, **READ_ERRORS}),
)
class DecisionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Decisions of one meeting (`?meeting=<uuid>`), only items the user may open."""

    serializer_class = DecisionSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "public_id"
    lookup_value_converter = "uuid"

    def get_queryset(self):
        return Decision.objects.select_related(
            "item",
            "item__meeting",
            "item__meeting__body",
            "item__meeting__body__convenor",
            "item__case",
        ).prefetch_related("roles__owner_agency", "roles__owner_user", "roles__plan_item__plan")

    def list(self, request, *args, **kwargs):
        public_id = request.query_params.get("meeting")
        if not public_id:
            raise exceptions.ValidationError({"meeting": ["会議(meeting)を指定してください。"]})
        meeting = get_object_or_404(Meeting.objects.select_related("body"), public_id=public_id)
        require(request.user, "meeting.view", meeting)
        decisions = [
            d
            for d in self.get_queryset().filter(item__meeting=meeting)
            if check(request.user, "agendaitem.view", d.item)
        ]
        page = self.paginate_queryset(decisions)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        decision = self.get_object()
        basis = require(request.user, "agendaitem.view", decision.item)
        record(actor=request.user, action="decision.view", obj=decision, basis=basis.basis)
        return Response(self.get_serializer(decision).data)


ROLE_STATUS_PARAM = OpenApiParameter(
    "status",
    OpenApiTypes.STR,
    enum=["open", "done"],
    description=gettext_lazy("open: 未完了(既定)/ done: 完了済み"),
)


@extend_schema_view(
    list=extend_schema(
        parameters=[ROLE_STATUS_PARAM],
        responses={200: RoleAssignmentSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(responses={200: RoleAssignmentSerializer, **READ_ERRORS}),
    complete=extend_schema(
        request=RoleCompleteSerializer, responses={200: RoleAssignmentSerializer, **ERRORS}
    ),
)
class RoleAssignmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Roles agreed at meetings (役割分担). The list is the user's own: roles naming them, or
    assigned to their agency when they hold a care role. POST …/complete/ marks one done (the
    owner or care staff of the owner agency); roles that became plan items are followed by the
    plan's monitoring instead."""

    serializer_class = RoleAssignmentSerializer
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    policy_actions = {
        "list": "meeting.list",
        "retrieve": "roleassignment.view",
        "complete": "roleassignment.complete",
    }
    lookup_field = "public_id"
    lookup_value_converter = "uuid"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RoleAssignment.objects.none()
        if self.action == "list":
            status_ = self.request.query_params.get("status")
            return selectors.roles_owned_by(
                self.request.user, status="done" if status_ == "done" else "open"
            ).select_related("plan_item__plan")
        # Any role may be addressed; the policy decides.
        return RoleAssignment.objects.select_related(
            "owner_agency",
            "owner_user",
            "done_by",
            "plan_item__plan",
            "decision__item__meeting__body__convenor",
            "decision__item__case",
        )

    def retrieve(self, request, *args, **kwargs):
        role = self.get_object()
        audited_read(request, "roleassignment.view", role)
        return Response(self.get_serializer(role).data)

    @action(detail=True, methods=["post"], serializer_class=RoleCompleteSerializer)
    def complete(self, request, public_id=None):
        role = self.get_object()
        ser = RoleCompleteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        services.role_assignment_complete(
            assignment=role, actor=request.user, done_on=ser.validated_data.get("done_on")
        )
        return Response(RoleAssignmentSerializer(role).data)
