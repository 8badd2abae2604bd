"""REST API of the intake side: consultations, referrals (つなぐシート) with their actions, and
concern slips. Same services and policy as the HTML views; records are addressed by public_id.

Referral actions are POST endpoints (send, open, accept, return, request-info, answer, withdraw,
assign, convert) answering with the new state; a state conflict answers 409 with
{"error": {"code", "message", "current_status", "options"}}.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from agencies.api import (
    ERRORS,
    READ_ERRORS,
    AuditedListMixin,
    Conflict,
    ErrorBodySerializer,
    PolicyPermission,
    audited_read,
)
from agencies.models import Agency, Area, User
from agencies.policy import Basis, check
from cases.choices import IssueCategory, Route
from cases.forms_intake import ConsultationFilterForm
from cases.models import (
    ConcernSlip,
    Consent,
    Consultation,
    ConsultationOutcome,
    ConsulterKind,
    Referral,
    ReferralOutcome,
    ReferralTrigger,
    Urgency,
)
from cases.policy.intake import (
    SECTION_HOUSEHOLD,
    SECTION_MEETING,
    SECTION_NARRATIVE,
    SECTION_PERSON,
    referral_sections,
    staff_agency_ids,
)
from cases.selectors import intake as selectors
from cases.services import intake as services
from cases.workflows import REFERRAL_WORKFLOW

router = DefaultRouter()


def _conflict(exc: services.IntakeConflict) -> Conflict:
    return Conflict(
        exc.message, code=exc.code, current_status=exc.current_status, options=exc.options
    )


class StateConflictBodySerializer(ErrorBodySerializer):
    current_status = serializers.CharField(help_text=gettext_lazy("いまの状態"))
    options = serializers.ListField(
        child=serializers.CharField(), help_text=gettext_lazy("いまの状態でできる操作")
    )


class StateConflictSerializer(serializers.Serializer):
    error = StateConflictBodySerializer()


WRITE_ERRORS = {
    **ERRORS,
    409: OpenApiResponse(
        StateConflictSerializer, description=gettext_lazy("同時更新、またはいまの状態ではできない")
    ),
}


@extend_schema_field(OpenApiTypes.UUID)
class _VisiblePersonField(serializers.SlugRelatedField):
    """A person/household/consent by public_id, chosen among those the user may see."""

    def __init__(self, kind: str, **kwargs):
        self.kind = kind
        super().__init__(slug_field="public_id", allow_null=True, required=False, **kwargs)

    def get_queryset(self):
        from cases.policy.persons import households_visible_to, persons_visible_to

        user = self.context["request"].user
        if self.kind == "person":
            return persons_visible_to(user)
        if self.kind == "household":
            return households_visible_to(user)
        return Consent.objects.filter(person__in=persons_visible_to(user).values("pk"))


# --- consultations ---------------------------------------------------------------------------


class ConsultationSerializer(serializers.Serializer):
    public_id = serializers.UUIDField(read_only=True)
    received_at = serializers.DateTimeField(required=False)
    agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    staff = serializers.IntegerField(source="staff_id", read_only=True)
    route = serializers.ChoiceField(choices=Route.choices)
    consulter_kind = serializers.ChoiceField(choices=ConsulterKind.choices)
    consulter_note = serializers.CharField(required=False, allow_blank=True, max_length=100)
    person = _VisiblePersonField("person")
    household = _VisiblePersonField("household")
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=IssueCategory.choices), min_length=1
    )
    summary = serializers.CharField()
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    response = serializers.CharField(required=False, allow_blank=True)
    outcome = serializers.ChoiceField(choices=ConsultationOutcome.choices)
    minutes_spent = serializers.IntegerField(min_value=0, required=False)
    staff_count = serializers.IntegerField(min_value=1, required=False)
    idempotency_key = serializers.UUIDField(write_only=True, required=False)
    version = serializers.IntegerField(required=False)


CONSULTATION_WRITABLE = (
    "received_at",
    "route",
    "consulter_kind",
    "consulter_note",
    "person",
    "household",
    "summary",
    "urgency",
    "response",
    "outcome",
    "minutes_spent",
    "staff_count",
)

# What a row of the list answers (ConsultationSerializer, `_out`): the related rows by key or
# name only — whole rows of 本人, the household, the agency and the staff member were 99 columns
# to compile and read for 50 rows.
_LIST_JOINS = ("agency", "person", "household")
CONSULTATION_API_ROW = (
    "public_id",
    "agency__name",
    "staff_id",
    "version",
    "person__public_id",
    "household__public_id",
    *(f for f in CONSULTATION_WRITABLE if f not in ("person", "household")),
)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(name, OpenApiTypes.DATE if name.startswith("date_") else str)
            for name in ConsultationFilterForm.base_fields
        ],
        responses={200: ConsultationSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(responses={200: ConsultationSerializer, **READ_ERRORS}),
    create=extend_schema(responses={201: ConsultationSerializer, **ERRORS}),
    update=extend_schema(responses={200: ConsultationSerializer, **WRITE_ERRORS}),
    partial_update=extend_schema(responses={200: ConsultationSerializer, **WRITE_ERRORS}),
)
class ConsultationViewSet(
    AuditedListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    list_audit_action = "consultation.list"
    serializer_class = ConsultationSerializer
    permission_classes = [IsAuthenticated, PolicyPermission]
    policy_actions = {
        "list": "consultation.list",
        "retrieve": "consultation.view",
        "create": "consultation.create",
        "partial_update": "consultation.update",
        "update": "consultation.update",
    }
    lookup_field = "public_id"
    lookup_value_converter = "uuid"
    queryset = Consultation.objects.none()  # the schema's model; requests use get_queryset()
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Consultation.objects.none()
        # The answer names person and household by public id: fetch them with the rows.
        qs = selectors.consultations_visible_to(self.request.user).select_related(
            "person", "household"
        )
        if self.action == "list":
            form = ConsultationFilterForm(self.request.query_params or None, user=self.request.user)
            if form.is_bound and form.is_valid():
                qs = selectors.filter_consultations(qs, form.cleaned_data)
        return qs

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        audited_read(request, "consultation.view", obj, changes=["api"])
        return Response(self._out(obj))

    def _out(self, obj, data=None):
        data = self.get_serializer(obj).data if data is None else data
        data["categories"] = obj.categories
        data["person"] = str(obj.person.public_id) if obj.person else None
        data["household"] = str(obj.household.public_id) if obj.household else None
        return data

    def list(self, request, *args, **kwargs):
        rows = self.get_queryset().select_related(None).select_related(*_LIST_JOINS)
        page = list(self.paginate_queryset(rows.only(*CONSULTATION_API_ROW)))
        # One serializer for the page: a serializer per row deep-copies its fields each time
        # (two thirds of the answer's time for 50 rows).
        rows = self.get_serializer(page, many=True).data
        return self.get_paginated_response(
            [self._out(o, d) for o, d in zip(page, rows, strict=True)]
        )

    def create(self, request, *args, **kwargs):
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        obj = services.consultation_create(
            actor=request.user,
            agency=d["agency"],
            categories=d["categories"],
            idempotency_key=d.get("idempotency_key"),
            **{k: d[k] for k in CONSULTATION_WRITABLE if k in d},
        )
        obj = self.get_queryset().get(pk=obj.pk)
        return Response(self._out(obj), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        obj = self.get_object()
        ser = self.get_serializer(obj, data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        try:
            services.consultation_update(
                actor=request.user,
                consultation=obj,
                expected_version=d.get("version"),
                categories=d.get("categories"),
                **{k: d[k] for k in CONSULTATION_WRITABLE if k in d},
            )
        except services.IntakeConflict as exc:
            raise _conflict(exc) from None
        return Response(self._out(self.get_queryset().get(pk=obj.pk)))


router.register("consultations", ConsultationViewSet, basename="consultation")


# --- referrals -------------------------------------------------------------------------------


class ReferralWriteSerializer(serializers.Serializer):
    from_agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), required=False)
    to_agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all(), required=False)
    variant = serializers.ChoiceField(choices=Referral.Variant.choices, required=False)
    person = _VisiblePersonField("person")
    household = _VisiblePersonField("household")
    consent = _VisiblePersonField("consent")
    consultation = serializers.SlugRelatedField(
        slug_field="public_id", queryset=Consultation.objects.all(), required=False, allow_null=True
    )
    route = serializers.ChoiceField(choices=[("", ""), *Route.choices], required=False)
    triggers = serializers.ListField(
        child=serializers.ChoiceField(choices=ReferralTrigger.choices), required=False
    )
    person_says = serializers.CharField(required=False, allow_blank=True)
    done_so_far = serializers.CharField(required=False, allow_blank=True)
    reason_note = serializers.CharField(required=False, allow_blank=True)
    meeting_summary = serializers.CharField(required=False, allow_blank=True)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    accompanied = serializers.BooleanField(required=False)
    accompanied_note = serializers.CharField(required=False, allow_blank=True, max_length=200)
    idempotency_key = serializers.UUIDField(required=False)
    version = serializers.IntegerField(required=False)


REFERRAL_WRITABLE = services.REFERRAL_CONTENT_FIELDS


def _local(value):
    """A time as the serializers give it: ISO 8601 in Asia/Tokyo (+09:00), never UTC "Z"."""
    return serializers.DateTimeField().to_representation(value) if value else None


def referral_header(r: Referral) -> dict:
    return {
        "public_id": str(r.public_id),
        "number": r.number,
        "variant": r.variant,
        "status": r.status,
        "status_label": r.get_status_display(),
        "from_agency": r.from_agency_id,
        "from_agency_name": r.from_agency.name,
        "from_worker": r.from_worker_id,
        "to_agency": r.to_agency_id,
        "to_agency_name": r.to_agency.name,
        "assignee": r.assignee_id,
        "triggers": r.triggers,
        "urgency": r.urgency,
        "accompanied": r.accompanied,
        "sent_at": _local(r.sent_at),
        "answer_due_on": r.answer_due_on,
        "overdue": r.is_overdue,
        "opened_at": _local(r.opened_at),
        "answered_at": _local(r.answered_at),
        "return_reason": r.return_reason,
        "return_next_step": r.return_next_step,
        "info_question": r.info_question,
        "info_answer": r.info_answer,
        "withdraw_reason": r.withdraw_reason,
        "case": {"public_id": str(r.case.public_id), "number": r.case.number}
        if r.case_id
        else None,
        "outcome": r.outcome,
        "outcome_label": r.get_outcome_display(),
        "handled_consultation": str(r.handled_consultation.public_id)
        if r.handled_consultation_id
        else None,
        "version": r.version,
    }


def referral_full(user, r: Referral) -> dict:
    """Header plus the sections the user may read (see cases.policy.intake)."""
    access = referral_sections(user, r)
    data = referral_header(r)
    data["sections"] = sorted(access.sections)
    data["sections_basis"] = access.basis
    if SECTION_PERSON in access:
        p = r.person
        data["person"] = (
            None
            if p is None
            else {
                "public_id": str(p.public_id),
                "name": p.full_name,
                "kana": p.full_kana,
                "birth_date": p.birth_date,
                "address": p.address,
                "phone": p.phone,
            }
        )
        data["consent"] = str(r.consent.public_id) if r.consent_id else None
    if SECTION_HOUSEHOLD in access:
        data["household"] = str(r.household.public_id) if r.household_id else None
    if SECTION_NARRATIVE in access:
        data |= {
            "route": r.route,
            "person_says": r.person_says,
            "done_so_far": r.done_so_far,
            "reason_note": r.reason_note,
            "accompanied_note": r.accompanied_note,
        }
    if SECTION_MEETING in access:
        data["meeting_summary"] = r.meeting_summary
    if access.basis == Basis.SENDING_AGENCY:
        data["events"] = [
            {
                "kind": e.kind,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "actor": e.actor_id,
                "agency": e.agency_id,
                "at": _local(e.at),
                "note": e.note,
            }
            for e in selectors.referral_timeline(r)
        ]
    return data


class _CaseRefSerializer(serializers.Serializer):
    public_id = serializers.UUIDField()
    number = serializers.CharField()


class ReferralHeaderSerializer(serializers.Serializer):
    """What `referral_header` answers: the list row, visible to both agencies."""

    public_id = serializers.UUIDField()
    number = serializers.CharField()
    variant = serializers.ChoiceField(choices=Referral.Variant.choices)
    status = serializers.ChoiceField(choices=Referral.Status.choices)
    status_label = serializers.CharField()
    from_agency = serializers.IntegerField()
    from_agency_name = serializers.CharField()
    from_worker = serializers.IntegerField(allow_null=True)
    to_agency = serializers.IntegerField(allow_null=True)
    to_agency_name = serializers.CharField()
    assignee = serializers.IntegerField(allow_null=True)
    triggers = serializers.ListField(child=serializers.ChoiceField(choices=ReferralTrigger.choices))
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    accompanied = serializers.BooleanField()
    sent_at = serializers.DateTimeField(allow_null=True)
    answer_due_on = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField()
    opened_at = serializers.DateTimeField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)
    return_reason = serializers.CharField()
    return_next_step = serializers.CharField()
    info_question = serializers.CharField()
    info_answer = serializers.CharField()
    withdraw_reason = serializers.CharField()
    case = _CaseRefSerializer(allow_null=True)
    outcome = serializers.CharField(
        help_text=gettext_lazy("回答の結果(未回答は空): ")
        + " / ".join(f"{v}={label}" for v, label in ReferralOutcome.choices)
    )
    outcome_label = serializers.CharField()
    handled_consultation = serializers.UUIDField(
        allow_null=True, help_text=gettext_lazy("自機関で受理したときの受理機関の相談受付")
    )
    version = serializers.IntegerField()


class _ReferralPersonSerializer(serializers.Serializer):
    public_id = serializers.UUIDField()
    name = serializers.CharField()
    kana = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)
    address = serializers.CharField()
    phone = serializers.CharField()


class _ReferralEventSerializer(serializers.Serializer):
    kind = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = serializers.IntegerField(allow_null=True)
    agency = serializers.IntegerField(allow_null=True)
    at = serializers.DateTimeField()
    note = serializers.CharField()


class ReferralDetailSerializer(ReferralHeaderSerializer):
    """What `referral_full` answers: the header plus the sections the policy grants; a field of
    a section the user may not read is absent."""

    sections = serializers.ListField(child=serializers.CharField())
    sections_basis = serializers.CharField()
    person = _ReferralPersonSerializer(required=False, allow_null=True)
    consent = serializers.UUIDField(required=False, allow_null=True)
    household = serializers.UUIDField(required=False, allow_null=True)
    route = serializers.CharField(required=False)
    person_says = serializers.CharField(required=False)
    done_so_far = serializers.CharField(required=False)
    reason_note = serializers.CharField(required=False)
    accompanied_note = serializers.CharField(required=False)
    meeting_summary = serializers.CharField(required=False)
    events = _ReferralEventSerializer(
        many=True, required=False, help_text=gettext_lazy("つなぎ元の機関にだけ")
    )


# Every referral action answers with the referral as the user may now read it.
REFERRAL_ACTION = {200: ReferralDetailSerializer, **WRITE_ERRORS}


class ReferralNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AcceptOwnSerializer(serializers.Serializer):
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=IssueCategory.choices), allow_empty=True, default=list
    )
    handed_over = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    next_step = serializers.CharField(required=False, allow_blank=True, default="")


class QuestionSerializer(serializers.Serializer):
    question = serializers.CharField(required=False, allow_blank=True, default="")


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(required=False, allow_blank=True, default="")
    meeting_summary = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="支援会議用の概要: a sheet without consent that has none needs it to be sent again",
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class AssignSerializer(serializers.Serializer):
    assignee = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("box", enum=["inbox", "sent"]),
            OpenApiParameter("status", enum=Referral.Status.values),
        ],
        responses={200: ReferralHeaderSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(responses={200: ReferralDetailSerializer, **READ_ERRORS}),
    create=extend_schema(responses={201: ReferralDetailSerializer, **ERRORS}),
    update=extend_schema(responses=REFERRAL_ACTION),
    partial_update=extend_schema(responses=REFERRAL_ACTION),
)
class ReferralViewSet(
    AuditedListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """`?box=inbox` (sent to my agencies) or `?box=sent` (written at my agencies); lists carry
    the header only, `retrieve` adds the sections the policy allows."""

    list_audit_action = "referral.list"

    serializer_class = ReferralWriteSerializer
    permission_classes = [IsAuthenticated, PolicyPermission]
    policy_actions = {
        "list": "referral.list",
        "retrieve": "referral.view",
        "create": "referral.create",
        "partial_update": "referral.update",
        "update": "referral.update",
    }
    lookup_field = "public_id"
    lookup_value_converter = "uuid"
    queryset = Referral.objects.none()
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Referral.objects.none()
        ids = staff_agency_ids(self.request.user)
        box = self.request.query_params.get("box", "")
        if box == "inbox":
            qs = selectors.referrals_received_by(self.request.user)
        elif box == "sent":
            qs = selectors.referrals_sent_by(self.request.user)
        else:
            qs = Referral.objects.filter(
                Q(from_agency_id__in=ids)
                | (Q(to_agency_id__in=ids) & ~Q(status=Referral.Status.DRAFT))
            ).for_list()
        status_filter = self.request.query_params.get("status")
        if status_filter:
            qs = qs.filter(status=status_filter)
        return qs.select_related("person", "household", "consent", "handled_consultation")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([referral_header(r) for r in page])

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        decision = check(request.user, "referral.view", obj)
        obj = services.referral_record_view(
            actor=request.user, referral=obj, basis=decision.basis, via="api"
        )
        return Response(referral_full(request.user, self.get_queryset().get(pk=obj.pk)))

    def _fields(self, d) -> dict:
        return {k: (d[k] or "" if k == "route" else d[k]) for k in REFERRAL_WRITABLE if k in d}

    def create(self, request, *args, **kwargs):
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        from_agency = d.get("from_agency")
        if from_agency is None:
            ids = sorted(staff_agency_ids(request.user))
            if len(ids) != 1:
                raise serializers.ValidationError(
                    {"from_agency": ["つなぎ元機関を指定してください。"]}
                )
            from_agency = Agency.objects.get(pk=ids[0])
        obj = services.referral_create(
            actor=request.user,
            from_agency=from_agency,
            idempotency_key=d.get("idempotency_key"),
            **self._fields(d),
        )
        return Response(
            referral_full(request.user, self.get_queryset().get(pk=obj.pk)),
            status=status.HTTP_201_CREATED,
        )

    def update(self, request, *args, **kwargs):
        obj = self.get_object()
        ser = self.get_serializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        try:
            services.referral_update(
                actor=request.user,
                referral=obj,
                expected_version=d.get("version"),
                **self._fields(d),
            )
        except services.IntakeConflict as exc:
            raise _conflict(exc) from None
        return Response(referral_full(request.user, self.get_queryset().get(pk=obj.pk)))

    def _act(self, request, call, serializer_class=None):
        obj = self.get_object()
        data = {}
        if serializer_class is not None:
            ser = serializer_class(data=request.data)
            ser.is_valid(raise_exception=True)
            data = ser.validated_data
        try:
            call(obj, data)
        except services.IntakeConflict as exc:
            raise _conflict(exc) from None
        return Response(referral_full(request.user, self.get_queryset().get(pk=obj.pk)))


def _workflow_action(step):
    """One POST endpoint per row of the referral workflow table (cases.workflows)."""
    serializer_class = step.serializer_class()

    def handler(self, request, public_id=None):
        fn = step.service_fn()
        return self._act(
            request, lambda r, d: fn(actor=request.user, referral=r, **d), serializer_class
        )

    handler.__name__ = handler.__qualname__ = step.action
    handler.__doc__ = str(step.label)
    handler = action(detail=True, methods=["post"], url_path=step.api_path)(handler)
    return extend_schema(
        request=serializer_class,
        responses=REFERRAL_ACTION,
        summary=str(step.label),
        description=str(step.label),
    )(handler)


for _step in REFERRAL_WORKFLOW.steps:
    setattr(ReferralViewSet, _step.action, _workflow_action(_step))
    ReferralViewSet.policy_actions[_step.action] = _step.policy


router.register("referrals", ReferralViewSet, basename="referral")


# --- concern slips ---------------------------------------------------------------------------


class ConcernSlipSerializer(serializers.Serializer):
    public_id = serializers.UUIDField(read_only=True)
    submitted_at = serializers.DateTimeField(read_only=True)
    to_agency = serializers.PrimaryKeyRelatedField(queryset=Agency.objects.all())
    subject_description = serializers.CharField()
    location = serializers.CharField(required=False, allow_blank=True, default="")
    area = serializers.PrimaryKeyRelatedField(
        queryset=Area.objects.all(), required=False, allow_null=True
    )
    noticed = serializers.CharField()
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    status = serializers.CharField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    idempotency_key = serializers.UUIDField(write_only=True, required=False)


class ConcernSlipStaffSerializer(ConcernSlipSerializer):
    submitted_by = serializers.IntegerField(source="submitted_by_id", read_only=True)
    handled_by = serializers.IntegerField(source="handled_by_id", read_only=True)
    handling_note = serializers.CharField(read_only=True)
    consultation = serializers.UUIDField(
        source="consultation.public_id", read_only=True, allow_null=True
    )
    case = serializers.CharField(source="case.number", read_only=True, allow_null=True)
    version = serializers.IntegerField(read_only=True)


class SlipStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ConcernSlip.Status.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False)


class SlipToConsultationSerializer(serializers.Serializer):
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=IssueCategory.choices), allow_empty=True, default=list
    )


class SlipLinkSerializer(serializers.Serializer):
    person = serializers.UUIDField(required=False, allow_null=True)
    case = serializers.UUIDField(required=False, allow_null=True)


@extend_schema_view(
    list=extend_schema(
        description=gettext_lazy("職員には受け取った用紙、住民には自分の用紙(職員用の項目なし)"),
        responses={200: ConcernSlipStaffSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(responses={200: ConcernSlipStaffSerializer, **READ_ERRORS}),
    create=extend_schema(
        request=ConcernSlipSerializer, responses={201: ConcernSlipSerializer, **ERRORS}
    ),
)
class ConcernSlipViewSet(
    AuditedListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Residents: their own slips (status label only). Staff: slips addressed to their agencies."""

    list_audit_action = "concern_slip.list"

    permission_classes = [IsAuthenticated, PolicyPermission]
    policy_actions = {
        "list": "concern_slip.list",
        "retrieve": "concern_slip.view",
        "create": "concern_slip.create",
        "set_status": "concern_slip.handle",
        "to_consultation": "concern_slip.handle",
        "link": "concern_slip.handle",
    }
    lookup_field = "public_id"
    lookup_value_converter = "uuid"
    queryset = ConcernSlip.objects.none()
    filter_backends: list = []

    def _staff(self) -> bool:
        return bool(staff_agency_ids(self.request.user))

    def get_serializer_class(self):
        if getattr(self, "swagger_fake_view", False):
            return ConcernSlipStaffSerializer
        return (
            ConcernSlipStaffSerializer
            if self._staff() and self.action != "create"
            else ConcernSlipSerializer
        )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ConcernSlip.objects.none()
        user = self.request.user
        if self._staff():
            return selectors.concern_slips_received_by(user)
        return selectors.concern_slips_of(user)

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        audited_read(request, "concern_slip.view", obj, changes=["api"])
        return Response(self.get_serializer(obj).data)

    def create(self, request, *args, **kwargs):
        ser = ConcernSlipSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        slip = services.concern_slip_submit(
            actor=request.user,
            to_agency=d["to_agency"],
            subject_description=d["subject_description"],
            noticed=d["noticed"],
            location=d.get("location", ""),
            area=d.get("area"),
            urgency=d["urgency"],
            idempotency_key=d.get("idempotency_key"),
        )
        return Response(ConcernSlipSerializer(slip).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=SlipStatusSerializer,
        responses={200: ConcernSlipStaffSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="set-status")
    def set_status(self, request, public_id=None):
        slip = self.get_object()
        ser = SlipStatusSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        try:
            slip = services.concern_slip_set_status(
                actor=request.user,
                slip=slip,
                status=d["status"],
                note=d["note"],
                expected_version=d.get("version"),
            )
        except services.IntakeConflict as exc:
            raise _conflict(exc) from None
        return Response(ConcernSlipStaffSerializer(slip).data)

    @extend_schema(
        request=SlipToConsultationSerializer,
        responses={200: ConcernSlipStaffSerializer, **WRITE_ERRORS},
        summary="相談受付にする",
    )
    @action(detail=True, methods=["post"], url_path="to-consultation")
    def to_consultation(self, request, public_id=None):
        slip = self.get_object()
        ser = SlipToConsultationSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        try:
            services.concern_slip_to_consultation(
                actor=request.user, slip=slip, categories=ser.validated_data["categories"]
            )
        except services.IntakeConflict as exc:
            raise _conflict(exc) from None
        return Response(ConcernSlipStaffSerializer(self.get_queryset().get(pk=slip.pk)).data)

    @extend_schema(
        request=SlipLinkSerializer,
        responses={200: ConcernSlipStaffSerializer, **WRITE_ERRORS},
        summary="既存の本人・支援ケースに結びつける",
    )
    @action(detail=True, methods=["post"])
    def link(self, request, public_id=None):
        from cases.models import Person, SupportCase

        slip = self.get_object()
        ser = SlipLinkSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        person = Person.objects.filter(public_id=d["person"]).first() if d.get("person") else None
        case = SupportCase.objects.filter(public_id=d["case"]).first() if d.get("case") else None
        if d.get("person") and person is None:
            raise serializers.ValidationError({"person": ["対象者が見つかりません。"]})
        if d.get("case") and case is None:
            raise serializers.ValidationError({"case": ["支援ケースが見つかりません。"]})
        try:
            slip = services.concern_slip_link(
                actor=request.user, slip=slip, person=person, case=case
            )
        except services.IntakeConflict as exc:
            raise _conflict(exc) from None
        return Response(ConcernSlipStaffSerializer(slip).data)


router.register("concern-slips", ConcernSlipViewSet, basename="concern-slip")
