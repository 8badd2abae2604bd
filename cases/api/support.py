"""REST API of the 多機関協働 case: cases, team, transitions, assessments, plans, monitoring,
evaluations and activity notes. The same selectors, services and policy as the HTML views;
records are addressed by public UUIDs; a case the user may not see is a 404.

Sheets use optimistic locking: send the `lock_version` you read; a stale one answers 409 with
the saved version in `error.current`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from agencies.api import AuditedListMixin, Conflict
from agencies.api_contract import PARSERS
from agencies.api_listed import ReadsListed, listed
from agencies.models import Agency, User
from agencies.paging import KeysWithCountPagination
from agencies.policy import check, require
from audit.services import record
from cases.choices import IssueCategory
from cases.models import (
    ActivityNote,
    Assessment,
    AssessmentRelation,
    CaseTeamMember,
    CaseTransition,
    Evaluation,
    EvaluationItem,
    Household,
    Monitoring,
    Person,
    Plan,
    PlanItem,
    SupportCase,
)
from cases.reasons import TRANSITION_CODES, code_choices
from cases.selectors import support as sel
from cases.services import support as svc
from meetings.models import MeetingBody

router = DefaultRouter()


def _conflict(current, serializer_class) -> Conflict:
    """409 in the project's error shape, with the saved version so the client can show both."""
    return Conflict(
        _(
            "他の職員が先にこの内容を更新しました。保存されている内容を確認してから、もう一度送信してください。"
        ),
        current=serializer_class(current).data,
    )


# --- serializers ---------------------------------------------------------------------------------------


class AgencyRef(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", Agency.objects.all())
        super().__init__(**kwargs)


class PersonRef(ReadsListed, serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "public_id")
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", Person.objects.all())
        super().__init__(**kwargs)


class CaseRef(ReadsListed, serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "public_id")
        super().__init__(**kwargs)


class TeamSerializer(serializers.ModelSerializer):
    agency = AgencyRef()
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )

    class Meta:
        model = CaseTeamMember
        fields = ["id", "agency", "user", "role", "duties", "joined_on", "left_on", "left_note"]
        read_only_fields = ["left_on", "left_note"]


class TransitionSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", read_only=True)
    # The reason in the caller's language: a reason the system wrote (アセスメント開始, a meeting's
    # decision …) is rendered from its code, a reason a user typed is as typed.
    reason = serializers.CharField(
        source="reason_text",
        read_only=True,
        help_text="理由(システムが記録した理由は利用者の言語で、入力された理由は入力どおり)",
    )
    # The schema lists each code with what it means (cases.reasons.LABELS).
    reason_code = serializers.ChoiceField(
        choices=code_choices(TRANSITION_CODES),
        read_only=True,
        help_text="システムが記録した理由のコード。入力された理由・コード導入前の記録は空文字",
    )

    class Meta:
        model = CaseTransition
        fields = [
            "from_status",
            "to_status",
            "actor",
            "at",
            "reason",
            "reason_code",
            "decided_on",
            "via",
            "via_item",
            "basis",
        ]


class CaseSerializer(serializers.ModelSerializer):
    household = serializers.SlugRelatedField(
        slug_field="public_id", queryset=Household.objects.all()
    )
    principal = PersonRef(required=False, allow_null=True)
    lead_agency = AgencyRef(required=False)
    coordinating_agency = AgencyRef()
    coordinator = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    persons = PersonRef(many=True, required=False)
    previous_case = serializers.SlugRelatedField(
        slug_field="public_id",
        queryset=SupportCase.objects.all(),
        required=False,
        allow_null=True,
        help_text="前の支援(同じ世帯の終結したケース)",
    )
    next_cases = CaseRef(many=True, read_only=True, help_text="次の支援")

    class Meta:
        model = SupportCase
        fields = [
            "public_id",
            "number",
            "fiscal_year",
            "status",
            "household",
            "principal",
            "persons",
            "previous_case",
            "next_cases",
            "summary",
            "programmes",
            "coordinating_agency",
            "lead_agency",
            "coordinator",
            "opened_on",
            "closed_on",
            "closure_reason",
            "next_monitoring_on",
            "reopen_count",
            "version",
        ]
        read_only_fields = [
            "public_id",
            "number",
            "fiscal_year",
            "status",
            "closed_on",
            "closure_reason",
            "next_monitoring_on",
            "reopen_count",
            "version",
        ]


_CATEGORY_MISSING = gettext_lazy("課題の分類を選んでください。")
_KIND_MISSING = gettext_lazy("種類を選んでください。")


def _row_choice(choices, message) -> serializers.ChoiceField:
    """A sheet row's choice: empty or unknown answers the message the HTML form shows there."""
    return serializers.ChoiceField(
        choices=choices,
        error_messages={"required": message, "null": message, "invalid_choice": message},
    )


class _SheetRowSerializer(serializers.Serializer):
    """A row of a sheet. A PATCH is partial down to its rows, which would skip `required`: the
    row's own fields are checked here so that a row is refused rather than saved without them."""

    REQUIRED: tuple[tuple[str, str], ...] = ()

    def validate(self, attrs):
        missing = {name: [message] for name, message in self.REQUIRED if not attrs.get(name)}
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class AssessmentIssueSerializer(_SheetRowSerializer):
    person = PersonRef(required=False, allow_null=True)
    category = _row_choice(IssueCategory.choices, _CATEGORY_MISSING)
    note = serializers.CharField(required=False, allow_blank=True, default="")

    REQUIRED = (("category", _CATEGORY_MISSING),)


class AssessmentRelationSerializer(_SheetRowSerializer):
    kind = _row_choice(AssessmentRelation.Kind.choices, _KIND_MISSING)
    label = serializers.CharField()
    agency = AgencyRef(required=False, allow_null=True)
    strength = serializers.CharField(required=False, default="normal")
    note = serializers.CharField(required=False, allow_blank=True, default="")

    REQUIRED = (("kind", _KIND_MISSING), ("label", gettext_lazy("名称・続柄を入力してください。")))


class AssessmentSerializer(serializers.ModelSerializer):
    case = serializers.SlugRelatedField(slug_field="public_id", read_only=True)
    principal = PersonRef(required=False, allow_null=True)
    issues = AssessmentIssueSerializer(many=True, required=False)
    relations = AssessmentRelationSerializer(many=True, required=False)

    class Meta:
        model = Assessment
        fields = [
            "public_id",
            "case",
            "number",
            "is_current",
            "lock_version",
            *Assessment.CONTENT_FIELDS,
            "issues",
            "relations",
            "updated_at",
        ]
        read_only_fields = ["public_id", "number", "updated_at"]


class PlanItemSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(required=False)
    agency = AgencyRef()
    person = PersonRef(required=False, allow_null=True)
    staff = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )

    class Meta:
        model = PlanItem
        fields = [
            "id",
            "order",
            "person",
            "category",
            "issue",
            "goal",
            "action",
            "agency",
            "staff",
            "frequency",
            "due_on",
        ]


class PlanSerializer(serializers.ModelSerializer):
    case = serializers.SlugRelatedField(slug_field="public_id", read_only=True)
    items = PlanItemSerializer(many=True, required=False)

    class Meta:
        model = Plan
        fields = [
            "public_id",
            "case",
            "number",
            "status",
            "lock_version",
            *Plan.CONTENT_FIELDS,
            "meeting_on",
            "decision_note",
            "submitted_at",
            "approved_at",
            "items",
        ]
        read_only_fields = [
            "public_id",
            "number",
            "status",
            "meeting_on",
            "decision_note",
            "submitted_at",
            "approved_at",
        ]


class MonitoringSerializer(serializers.ModelSerializer):
    item = serializers.PrimaryKeyRelatedField(queryset=PlanItem.objects.all())
    author = serializers.CharField(source="author.username", read_only=True)

    class Meta:
        model = Monitoring
        fields = [
            "public_id",
            "item",
            "monitored_on",
            "progress",
            "note",
            "next_on",
            "author",
            "created_at",
        ]
        read_only_fields = ["public_id", "author", "created_at"]


class EvaluationItemSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField()
    goal = serializers.CharField(source="plan_item.goal", read_only=True)

    class Meta:
        model = EvaluationItem
        fields = ["id", "goal", "achievement", "note"]


class EvaluationSerializer(serializers.ModelSerializer):
    case = serializers.SlugRelatedField(slug_field="public_id", read_only=True)
    plan = serializers.SlugRelatedField(slug_field="public_id", read_only=True)
    proposed_lead_agency = AgencyRef(required=False, allow_null=True)
    lead_agency_after = AgencyRef(read_only=True, allow_null=True)
    items = EvaluationItemSerializer(many=True, required=False)

    class Meta:
        model = Evaluation
        fields = [
            "public_id",
            "case",
            "plan",
            "number",
            "status",
            "lock_version",
            *Evaluation.CONTENT_FIELDS,
            "decision",
            "lead_agency_after",
            "closure_reason",
            "meeting_on",
            "items",
        ]
        read_only_fields = [
            "public_id",
            "number",
            "status",
            "decision",
            "closure_reason",
            "meeting_on",
        ]


class NoteSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True)
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    persons = PersonRef(many=True, required=False)
    attachments = serializers.SerializerMethodField()
    files = serializers.ListField(child=serializers.FileField(), write_only=True, required=False)
    restricted_body = serializers.SlugRelatedField(
        slug_field="public_id",
        queryset=MeetingBody.objects.all(),
        required=False,
        allow_null=True,
        help_text="visibility=body のとき、構成員限りとする会議体(要対協など)の id。",
    )

    class Meta:
        model = ActivityNote
        fields = [
            "public_id",
            "kind",
            "occurred_at",
            "minutes",
            "staff_count",
            "with_whom",
            "content",
            "visibility",
            "restricted_body",
            "persons",
            "author",
            "agency",
            "attachments",
            "files",
        ]
        read_only_fields = ["public_id", "author", "agency"]

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_attachments(self, note) -> list[dict]:
        return [
            {
                "public_id": str(a.public_id),
                "name": a.original_name,
                "type": a.file_type,
                "size": a.size,
            }
            for a in note.attachments.all()
        ]


# --- request bodies of the actions (documentation: the views read them as before) ---------------


class CaseRefRequestSerializer(serializers.Serializer):
    case = serializers.UUIDField(help_text="公開ID of the support case")


class PlanCreateRequestSerializer(CaseRefRequestSerializer):
    programme = serializers.CharField(required=False, default="multiagency")


class NoteCreateRequestSerializer(NoteSerializer):
    case = serializers.UUIDField(write_only=True)

    class Meta(NoteSerializer.Meta):
        fields = [*NoteSerializer.Meta.fields, "case"]


class TransitionRequestSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=[
            "start_assessment",
            "start_planning",
            "send_to_meeting",
            "close_exceptional",
            "reopen",
        ]
    )
    reason = serializers.CharField(required=False, allow_blank=True)
    closed_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True)


CASE_PARAM = OpenApiParameter(
    "case", OpenApiTypes.UUID, required=True, description="公開ID of the support case"
)
LIST_BY_CASE = extend_schema(parameters=[CASE_PARAM])


# --- views ------------------------------------------------------------------------------------------------


class CaseScoped:
    """Resolve ?case=<public_id> (or the URL's) to a case the user may see, else 404."""

    permission_classes = [IsAuthenticated]

    def case_from(self, public_id) -> SupportCase:
        if not public_id:
            raise exceptions.ValidationError({"case": [_("ケース(case)を指定してください。")]})
        try:
            case = get_object_or_404(SupportCase, public_id=public_id)
        except ValidationError:
            raise exceptions.NotFound()
        if not check(self.request.user, "case.view", case):
            raise exceptions.NotFound()
        return case


def _listed(qs):
    """The list reads of each related row only the key the answer shows (a person's or household's
    public_id, an agency's code): not the personal columns of 本人 and the persons, and not 100
    model rows per page that nobody reads. The to-many keys are kept in lists
    (agencies.api_listed): not a related manager for each row."""
    own = [f.attname for f in SupportCase._meta.concrete_fields]
    return (
        qs.select_related(
            "household", "principal", "lead_agency", "coordinating_agency", "previous_case"
        )
        .only(
            *own,
            "household__public_id",
            "principal__public_id",
            "lead_agency__code",
            "coordinating_agency__code",
            "previous_case__public_id",
        )
        .prefetch_related(
            listed("next_cases", SupportCase.objects.only("public_id", "previous_case_id")),
            listed("persons", Person.objects.only("public_id")),
        )
    )


class CaseViewSet(
    AuditedListMixin,
    CaseScoped,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    list_audit_action = "case.list"
    serializer_class = CaseSerializer
    pagination_class = KeysWithCountPagination  # the visible cases: no index gives them in order
    lookup_field = "public_id"
    filterset_fields = ["status", "lead_agency", "fiscal_year"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SupportCase.objects.none()
        require(self.request.user, "case.list")
        qs = sel.cases_visible_to(self.request.user).order_by("-opened_on", "-pk")
        if self.action == "list":
            return _listed(qs)
        return qs.select_related(
            "household", "principal", "lead_agency", "coordinating_agency", "previous_case"
        ).prefetch_related("next_cases", "persons")

    def retrieve(self, request, *args, **kwargs):
        case = self.get_object()
        decision = require(request.user, "case.view", case)
        record(actor=request.user, action="case.view", obj=case, basis=decision.basis)
        return Response(self.get_serializer(case).data)

    def perform_create(self, serializer):
        d = serializer.validated_data
        serializer.instance = svc.case_create(
            actor=self.request.user,
            household=d["household"],
            coordinating_agency=d["coordinating_agency"],
            lead_agency=d.get("lead_agency"),
            principal=d.get("principal"),
            persons=d.get("persons", []),
            opened_on=d.get("opened_on"),
            summary=d.get("summary", ""),
            programmes=d.get("programmes"),
            previous_case=d.get("previous_case"),
        )

    @extend_schema(responses=TransitionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def transitions(self, request, public_id=None):
        case = self.get_object()
        return Response(
            TransitionSerializer(case.transitions.select_related("actor"), many=True).data
        )

    @extend_schema(request=TransitionRequestSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, public_id=None):
        """{"action": start_assessment|start_planning|send_to_meeting|close_exceptional|
        reopen, "reason", "closed_on"}. Decisions (plan approval, re-assessment, evaluation
        decisions) are recorded only as decisions of a meeting (POST /api/v1/agenda-items/{public_id}/decision/)."""
        case = self.get_object()
        data = request.data
        act = data.get("action")
        date_field = serializers.DateField(required=False, allow_null=True)
        closed_on = (
            date_field.to_internal_value(data["closed_on"]) if data.get("closed_on") else None
        )
        reason = data.get("reason", "")
        if act == "start_assessment":
            svc.case_start_assessment(case=case, actor=request.user, reason=reason)
        elif act == "start_planning":
            svc.case_start_planning(case=case, actor=request.user, reason=reason)
        elif act == "send_to_meeting":
            svc.case_send_to_meeting(case=case, actor=request.user, reason=reason)
        elif act == "close_exceptional":
            if closed_on is None:
                raise ValidationError({"closed_on": _("終結日を入力してください。")})
            svc.case_close_exceptional(
                case=case,
                actor=request.user,
                reason=reason,
                closed_on=closed_on,
                note=data.get("note", ""),
            )
        elif act == "reopen":
            svc.case_reopen(case=case, actor=request.user, reason=reason)
        else:
            raise ValidationError({"action": _("操作の種類が正しくありません。")})
        case.refresh_from_db()
        return Response(self.get_serializer(case).data)

    @extend_schema(
        methods=["GET"], request=None, responses=TeamSerializer(many=True), filters=False
    )
    @extend_schema(methods=["POST"], request=TeamSerializer, responses={201: TeamSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def team(self, request, public_id=None):
        case = self.get_object()
        if request.method == "POST":
            serializer = TeamSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            member = svc.team_add(case=case, actor=request.user, **serializer.validated_data)
            return Response(TeamSerializer(member).data, status=status.HTTP_201_CREATED)
        return Response(TeamSerializer(case.team.select_related("agency"), many=True).data)


def _lock_version(request) -> int:
    try:
        return int(request.data["lock_version"])
    except (KeyError, TypeError, ValueError):
        raise exceptions.ValidationError(
            {"lock_version": [_("読み込んだ時点の lock_version を送ってください。")]}
        )


class _SheetViewSet(
    AuditedListMixin,
    CaseScoped,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    @property
    def list_audit_action(self) -> str:
        return self.view_action.replace(".view", ".list")

    lookup_field = "public_id"
    view_action = ""

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        qs = self.model.objects.filter(
            case__in=sel.cases_visible_to(self.request.user)
        ).select_related("case")
        if self.action == "list":
            case = self.case_from(self.request.query_params.get("case"))
            if not check(self.request.user, self.view_action, case):
                return qs.none()  # the case, but not its sheets (a 支援会議 role)
            qs = qs.filter(case=case)
        return qs

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        decision = require(request.user, self.view_action, obj)
        record(actor=request.user, action=self.view_action, obj=obj, basis=decision.basis)
        return Response(self.get_serializer(obj).data)


@extend_schema_view(list=LIST_BY_CASE)
class AssessmentViewSet(_SheetViewSet):
    serializer_class = AssessmentSerializer
    model = Assessment
    view_action = "assessment.view"

    @extend_schema(request=CaseRefRequestSerializer, responses={201: AssessmentSerializer})
    def create(self, request):
        case = self.case_from(request.data.get("case"))
        assessment = svc.assessment_create(case=case, actor=request.user)
        return Response(self.get_serializer(assessment).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, public_id=None):
        assessment = self.get_object()
        serializer = self.get_serializer(assessment, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        d = dict(serializer.validated_data)
        issues, relations = d.pop("issues", None), d.pop("relations", None)
        d.pop("lock_version", None)
        try:
            svc.assessment_update(
                assessment=assessment,
                actor=request.user,
                data=d,
                lock_version=_lock_version(request),
                issues=issues,
                relations=relations,
            )
        except svc.EditConflict as exc:
            raise _conflict(exc.current, AssessmentSerializer)
        return Response(self.get_serializer(Assessment.objects.get(pk=assessment.pk)).data)


@extend_schema_view(list=LIST_BY_CASE)
class PlanViewSet(_SheetViewSet):
    serializer_class = PlanSerializer
    model = Plan
    view_action = "plan.view"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Plan.objects.none()
        return super().get_queryset().prefetch_related("items__agency")

    @extend_schema(request=PlanCreateRequestSerializer, responses={201: PlanSerializer})
    def create(self, request):
        case = self.case_from(request.data.get("case"))
        plan = svc.plan_create(
            case=case,
            actor=request.user,
            programme=request.data.get("programme", "multiagency"),
        )
        return Response(self.get_serializer(plan).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, public_id=None):
        plan = self.get_object()
        serializer = self.get_serializer(plan, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        d = dict(serializer.validated_data)
        items = d.pop("items", None)
        d.pop("lock_version", None)
        try:
            svc.plan_update(
                plan=plan,
                actor=request.user,
                data=d,
                lock_version=_lock_version(request),
                items=[dict(i) for i in items] if items is not None else None,
            )
        except svc.EditConflict as exc:
            raise _conflict(exc.current, PlanSerializer)
        return Response(self.get_serializer(Plan.objects.get(pk=plan.pk)).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def submit(self, request, public_id=None):
        plan = self.get_object()
        plan = svc.plan_submit(plan=plan, actor=request.user)
        return Response(self.get_serializer(plan).data)


@extend_schema_view(list=LIST_BY_CASE)
class MonitoringViewSet(
    AuditedListMixin, CaseScoped, mixins.ListModelMixin, viewsets.GenericViewSet
):
    list_audit_action = "monitoring.list"
    serializer_class = MonitoringSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Monitoring.objects.none()
        case = self.case_from(self.request.query_params.get("case"))
        if not check(self.request.user, "plan.view", case):
            return Monitoring.objects.none()
        return (
            Monitoring.objects.filter(item__plan__case=case)
            .select_related("author")
            .order_by("-monitored_on")
        )

    @extend_schema(responses={201: MonitoringSerializer})
    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        item = d["item"]
        self.case_from(item.plan.case.public_id)
        entry = svc.monitoring_record(
            item=item,
            actor=request.user,
            progress=d["progress"],
            note=d.get("note", ""),
            next_on=d.get("next_on"),
            monitored_on=d.get("monitored_on"),
        )
        return Response(self.get_serializer(entry).data, status=status.HTTP_201_CREATED)


@extend_schema_view(list=LIST_BY_CASE)
class EvaluationViewSet(_SheetViewSet):
    serializer_class = EvaluationSerializer
    model = Evaluation
    view_action = "evaluation.view"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Evaluation.objects.none()
        return super().get_queryset().select_related("plan").prefetch_related("items__plan_item")

    @extend_schema(request=CaseRefRequestSerializer, responses={201: EvaluationSerializer})
    def create(self, request):
        case = self.case_from(request.data.get("case"))
        evaluation = svc.evaluation_create(case=case, actor=request.user)
        return Response(self.get_serializer(evaluation).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, public_id=None):
        evaluation = self.get_object()
        serializer = self.get_serializer(evaluation, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        d = dict(serializer.validated_data)
        items = d.pop("items", None)
        d.pop("lock_version", None)
        try:
            svc.evaluation_update(
                evaluation=evaluation,
                actor=request.user,
                data=d,
                lock_version=_lock_version(request),
                items=[dict(i) for i in items] if items is not None else None,
            )
        except svc.EditConflict as exc:
            raise _conflict(exc.current, EvaluationSerializer)
        return Response(self.get_serializer(Evaluation.objects.get(pk=evaluation.pk)).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def ready(self, request, public_id=None):
        evaluation = svc.evaluation_ready(evaluation=self.get_object(), actor=request.user)
        return Response(self.get_serializer(evaluation).data)


@extend_schema_view(list=LIST_BY_CASE)
class NoteViewSet(
    AuditedListMixin,
    CaseScoped,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    list_audit_action = "note.list"
    serializer_class = NoteSerializer
    lookup_field = "public_id"
    parser_classes = PARSERS

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ActivityNote.objects.none()
        if self.action == "list":
            case = self.case_from(self.request.query_params.get("case"))
            return sel.notes_for(self.request.user, case)
        return (
            ActivityNote.objects.filter(case__in=sel.cases_visible_to(self.request.user))
            .select_related("author", "agency", "case")
            .prefetch_related("attachments", "persons")
        )

    def retrieve(self, request, *args, **kwargs):
        note = self.get_object()
        decision = check(request.user, "note.view", note)
        if not decision:
            raise exceptions.NotFound()
        record(actor=request.user, action="note.view", obj=note, basis=decision.basis)
        return Response(self.get_serializer(note).data)

    @extend_schema(request=NoteCreateRequestSerializer, responses={201: NoteSerializer})
    def create(self, request):
        case = self.case_from(request.data.get("case"))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = dict(serializer.validated_data)
        files = request.FILES.getlist("files") if hasattr(request.FILES, "getlist") else []
        d.pop("files", None)
        note = svc.note_create(case=case, actor=request.user, files=files, **d)
        return Response(self.get_serializer(note).data, status=status.HTTP_201_CREATED)


router.register("support-cases", CaseViewSet, basename="support-case")
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("plans", PlanViewSet, basename="plan")
router.register("monitoring", MonitoringViewSet, basename="monitoring")
router.register("evaluations", EvaluationViewSet, basename="evaluation")
router.register("activity-notes", NoteViewSet, basename="activity-note")
