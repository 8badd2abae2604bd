"""REST API of the outreach programme: targets, their stage transitions and contacts, planned
visits and the four counts. Same selectors, services and policy as the HTML pages; targets are
addressed by public UUIDs; a target the user may not see is a 404.

Contacts take an `idempotency_key` (UUID): the offline tablet page sends each visit with its own
key, so a replay answers 200 with the contact already made instead of creating a twin.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from agencies import jpdates
from agencies.api import ERRORS, READ_ERRORS, WRITE_ERRORS, AuditedListMixin, Conflict
from agencies.models import Agency, Area, User
from agencies.policy import check, require
from cases.models.intake import Urgency

from . import selectors as sel
from . import services as svc
from .models import (
    ClosureReason,
    ContactKind,
    Counterpart,
    Outcome,
    OutreachContact,
    OutreachTarget,
    PlannedVisit,
    Professional,
    Source,
    Stage,
    StageTransition,
)

router = DefaultRouter()


class UserRef(serializers.SlugRelatedField):
    """Staff are addressed by their public UUID."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "public_id")
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", User.objects.filter(is_active=True))
        super().__init__(**kwargs)


class OutreachTargetSerializer(serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(
        slug_field="code", queryset=Agency.objects.filter(active=True)
    )
    area = serializers.SlugRelatedField(
        slug_field="code", queryset=Area.objects.all(), required=False, allow_null=True
    )
    source = serializers.ChoiceField(choices=Source.choices)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    lead_worker = UserRef(read_only=True, allow_null=True)
    assignees = UserRef(many=True, read_only=True)
    person = serializers.SlugRelatedField(slug_field="public_id", read_only=True, allow_null=True)
    support_case = serializers.SlugRelatedField(
        slug_field="number", read_only=True, allow_null=True
    )
    version = serializers.IntegerField(
        min_value=1, required=False, help_text=gettext_lazy("更新時は必須: 取得したときの版")
    )

    class Meta:
        model = OutreachTarget
        fields = [
            "public_id",
            "number",
            "agency",
            "area",
            "source",
            "source_detail",
            "informant",
            "known_on",
            "approx_name",
            "approx_kana",
            "approx_address",
            "approx_age",
            "birth_date",
            "sex",
            "household_note",
            "worry",
            "urgency",
            "stage",
            "stage_changed_on",
            "closure_reason",
            "next_try_on",
            "lead_worker",
            "assignees",
            "person",
            "support_case",
            "last_contact_at",
            "version",
        ]
        read_only_fields = [
            "public_id",
            "number",
            "stage",
            "stage_changed_on",
            "closure_reason",
            "next_try_on",
            "last_contact_at",
        ]
        extra_kwargs = {"worry": {"required": True}}


class OutreachTargetUpdateSerializer(OutreachTargetSerializer):
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    source = serializers.ChoiceField(choices=Source.choices, required=False)
    version = serializers.IntegerField(min_value=1, help_text=gettext_lazy("取得したときの版"))

    class Meta(OutreachTargetSerializer.Meta):
        extra_kwargs = {"worry": {"required": False}}


class OutreachTransitionSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.display_name", read_only=True)

    class Meta:
        model = StageTransition
        fields = [
            "from_stage",
            "to_stage",
            "on",
            "reason",
            "closure_reason",
            "next_try_on",
            "actor",
        ]
        read_only_fields = ["from_stage", "actor"]


class OutreachTransitionRequestSerializer(serializers.Serializer):
    to_stage = serializers.ChoiceField(choices=Stage.choices)
    reason = serializers.CharField()
    on = serializers.DateField(required=False, allow_null=True)
    closure_reason = serializers.ChoiceField(
        choices=ClosureReason.choices, required=False, allow_blank=True
    )
    next_try_on = serializers.DateField(required=False, allow_null=True)
    version = serializers.IntegerField(min_value=1, required=False)


class OutreachContactSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=ContactKind.choices)
    counterpart = serializers.ChoiceField(choices=Counterpart.choices)
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    staff = UserRef(many=True)
    professionals = serializers.ListField(
        child=serializers.ChoiceField(choices=Professional.choices), required=False
    )
    author = serializers.CharField(source="author.display_name", read_only=True)
    idempotency_key = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy(
            "送信ごとに一意のUUID。同じ値の再送は新しい記録を作らず、既存の記録を返します。"
        ),
    )

    class Meta:
        model = OutreachContact
        fields = [
            "public_id",
            "kind",
            "occurred_at",
            "minutes",
            "staff",
            "professionals",
            "professionals_note",
            "counterpart",
            "outcome",
            "content",
            "next_step",
            "next_on",
            "author",
            "idempotency_key",
        ]
        read_only_fields = ["public_id", "author"]


class OutreachVisitSerializer(serializers.ModelSerializer):
    target = serializers.SlugRelatedField(slug_field="public_id", read_only=True)
    target_number = serializers.CharField(source="target.number", read_only=True)
    staff = UserRef(many=True, read_only=True)
    done = serializers.SerializerMethodField()

    class Meta:
        model = PlannedVisit
        fields = [
            "public_id",
            "target",
            "target_number",
            "planned_on",
            "planned_time",
            "kind",
            "staff",
            "professionals",
            "purpose",
            "cancelled",
            "done",
        ]

    def get_done(self, visit) -> bool:
        return getattr(visit, "contact", None) is not None


class OutreachCountsSerializer(serializers.Serializer):
    targets = serializers.IntegerField()
    targets_by_stage = serializers.DictField(child=serializers.IntegerField())
    contacts = serializers.IntegerField()
    contacts_by_kind = serializers.DictField(child=serializers.IntegerField())
    visits = serializers.IntegerField(help_text=gettext_lazy("訪問回数(延べ)"))
    staff_visits = serializers.IntegerField(help_text=gettext_lazy("延べ訪問人数(職員)"))
    visited_targets = serializers.IntegerField(help_text=gettext_lazy("訪問した対象者(実人数)"))
    visits_with_nurse = serializers.IntegerField()
    targets_with_nurse = serializers.IntegerField()
    connections = serializers.IntegerField(help_text=gettext_lazy("つないだ対象者(実人数)"))


def _target_or_404(request, public_id) -> OutreachTarget:
    try:
        public_id = uuid.UUID(str(public_id))
    except ValueError:
        raise exceptions.NotFound() from None
    target = OutreachTarget.objects.select_related("agency").filter(public_id=public_id).first()
    if target is None or not check(request.user, "outreach_target.view", target):
        raise exceptions.NotFound()
    return target


def _conflict(target) -> Conflict:
    return Conflict(
        _("他の職員が先にこの記録を更新しました。最新の内容を確認してからやり直してください。"),
        current=OutreachTargetSerializer(target).data,
    )


@extend_schema(tags=["outreach"])
class TargetViewSet(
    AuditedListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """アウトリーチ対象者 (把握した人). Filters: ?stage=open|<stage>, ?area=<code>, ?mine=1,
    ?stagnant=1."""

    permission_classes = [IsAuthenticated]
    list_audit_action = "outreach_target.list"
    serializer_class = OutreachTargetSerializer
    lookup_field = "public_id"
    lookup_value_converter = "uuid"
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return OutreachTarget.objects.none()
        require(self.request.user, "outreach.list")
        g = self.request.query_params
        stage = g.get("stage", "")
        area = Area.objects.filter(code=g.get("area", "")).values_list("pk", flat=True).first()
        filters = sel.TargetFilters(
            stage=stage if stage in {"open", *Stage.values} else "",
            area=area,
            mine=g.get("mine") == "1",
            stagnant=g.get("stagnant") == "1",
        )
        return (
            sel.target_list(self.request.user, filters)
            .select_related("person", "support_case")
            .prefetch_related("assignees")
        )

    def get_object(self):
        return _target_or_404(self.request, self.kwargs["public_id"])

    @extend_schema(responses={200: OutreachTargetSerializer, **READ_ERRORS})
    def retrieve(self, request, *args, **kwargs):
        target = self.get_object()
        svc.target_record_view(actor=request.user, target=target)
        return Response(OutreachTargetSerializer(target).data)

    @extend_schema(
        request=OutreachTargetSerializer, responses={201: OutreachTargetSerializer, **ERRORS}
    )
    def create(self, request, *args, **kwargs):
        serializer = OutreachTargetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("version", None)
        agency = data.pop("agency")
        target = svc.target_create(actor=request.user, agency=agency, data=data)
        return Response(OutreachTargetSerializer(target).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=OutreachTargetUpdateSerializer,
        responses={200: OutreachTargetSerializer, **WRITE_ERRORS},
    )
    def partial_update(self, request, public_id=None):
        target = self.get_object()
        serializer = OutreachTargetUpdateSerializer(target, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        if version is None:
            raise exceptions.ValidationError({"version": [_("更新時は版(version)が必要です。")]})
        try:
            target = svc.target_update(
                actor=request.user, target=target, data=data, expected_version=version
            )
        except svc.OutreachConflict:
            target.refresh_from_db()
            raise _conflict(target) from None
        return Response(OutreachTargetSerializer(target).data)

    @extend_schema(
        request=OutreachTransitionRequestSerializer,
        responses={201: OutreachTransitionSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, public_id=None):
        """Move the target to another stage (dated, with the reason; closing needs a code)."""
        target = self.get_object()
        s = OutreachTransitionRequestSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        try:
            t = svc.target_move(
                actor=request.user,
                target=target,
                to_stage=d["to_stage"],
                reason=d["reason"],
                on=d.get("on"),
                closure_reason=d.get("closure_reason", ""),
                next_try_on=d.get("next_try_on"),
                expected_version=d.get("version"),
            )
        except svc.OutreachConflict:
            target.refresh_from_db()
            raise _conflict(target) from None
        return Response(OutreachTransitionSerializer(t).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: OutreachTransitionSerializer(many=True), **READ_ERRORS})
    @action(detail=True, methods=["get"])
    def transitions(self, request, public_id=None):
        """The stage history, with the free-text reasons: an audited read of the target."""
        target = self.get_object()
        svc.target_record_view(actor=request.user, target=target)
        return Response(
            OutreachTransitionSerializer(target.transitions.select_related("actor"), many=True).data
        )

    @extend_schema(
        methods=["get"], responses={200: OutreachContactSerializer(many=True), **READ_ERRORS}
    )
    @extend_schema(
        methods=["post"],
        request=OutreachContactSerializer,
        responses={
            201: OutreachContactSerializer,
            200: OpenApiResponse(
                OutreachContactSerializer, description=gettext_lazy("同じ送信トークンの再送")
            ),
            **ERRORS,
        },
    )
    @action(detail=True, methods=["get", "post"])
    def contacts(self, request, public_id=None):
        """The target's contacts (GET, newest first) or log one (POST)."""
        target = self.get_object()
        if request.method == "GET":
            svc.target_record_view(actor=request.user, target=target)
            rows = target.contacts.select_related("author").prefetch_related("staff")
            return Response(OutreachContactSerializer(rows, many=True).data)
        s = OutreachContactSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        contact, created = svc.contact_log(
            actor=request.user,
            target=target,
            kind=d["kind"],
            occurred_at=d["occurred_at"],
            minutes=d.get("minutes", 0),
            staff=d["staff"],
            professionals=d.get("professionals", []),
            professionals_note=d.get("professionals_note", ""),
            counterpart=d["counterpart"],
            outcome=d["outcome"],
            content=d.get("content", ""),
            next_step=d.get("next_step", ""),
            next_on=d.get("next_on"),
            idempotency_key=d.get("idempotency_key"),
        )
        return Response(
            OutreachContactSerializer(contact).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


router.register("outreach/targets", TargetViewSet, basename="outreach-target")


class VisitViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Planned visits of targets the user may see: ?start=YYYY-MM-DD&end=YYYY-MM-DD&mine=1."""

    permission_classes = [IsAuthenticated]
    serializer_class = OutreachVisitSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PlannedVisit.objects.none()
        require(self.request.user, "outreach.plan_visits")
        g = self.request.query_params
        today = timezone.localdate()
        try:
            start = dt.date.fromisoformat(g["start"]) if g.get("start") else today
            end = dt.date.fromisoformat(g["end"]) if g.get("end") else start + dt.timedelta(days=6)
        except (ValueError, OverflowError):
            raise exceptions.ValidationError(
                {"start": [_("日付は YYYY-MM-DD の形式で指定してください。")]}
            ) from None
        if not (jpdates.in_range(start) and jpdates.in_range(end)):
            raise exceptions.ValidationError({"start": [jpdates.out_of_range_message()]})
        if end < start or (end - start).days > 92:
            raise exceptions.ValidationError(
                {"end": [_("期間は開始日から92日以内にしてください。")]}
            )
        return sel.planned_visits(
            self.request.user,
            start=start,
            end=end,
            staff_id=self.request.user.pk if g.get("mine") == "1" else None,
            include_cancelled=True,
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE),
            OpenApiParameter("end", OpenApiTypes.DATE),
            OpenApiParameter("mine", OpenApiTypes.STR, enum=["1"]),
        ],
        responses={200: OutreachVisitSerializer(many=True), **ERRORS},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


router.register("outreach/visits", VisitViewSet, basename="outreach-visit")


class CountsView(APIView):
    """The four counts (targets by stage, contacts by kind, visits and staff-visits,
    connections) over the outreach agencies the user works at (admins: all), for the fiscal
    year or ?start&end."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["outreach"],
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE),
            OpenApiParameter("end", OpenApiTypes.DATE),
        ],
        responses={200: OutreachCountsSerializer, **ERRORS},
    )
    def get(self, request):
        from . import policy

        decision = require(request.user, "outreach.workload")
        fy_start, fy_end = jpdates.fiscal_year_range(jpdates.fiscal_year(timezone.localdate()))
        try:
            start = dt.date.fromisoformat(request.query_params.get("start") or fy_start.isoformat())
            end = dt.date.fromisoformat(request.query_params.get("end") or fy_end.isoformat())
        except (ValueError, OverflowError):
            raise exceptions.ValidationError(
                {"start": [_("日付は YYYY-MM-DD の形式で指定してください。")]}
            ) from None
        if not (jpdates.in_range(start) and jpdates.in_range(end)):
            raise exceptions.ValidationError({"start": [jpdates.out_of_range_message()]})
        if decision.basis == "admin":
            agency_ids = set(Agency.objects.running("outreach").values_list("pk", flat=True))
        else:
            agency_ids = policy.outreach_agency_ids(request.user)
        counts = sel.outreach_counts(
            OutreachTarget.objects.filter(agency_id__in=agency_ids), start=start, end=end
        )
        return Response(OutreachCountsSerializer(counts).data)


urlpatterns = [
    path("outreach/counts/", CountsView.as_view(), name="api-outreach-counts"),
    *router.urls,
]
