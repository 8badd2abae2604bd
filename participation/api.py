"""REST API of 参加支援 (under /api/v1/). The same selectors, services and policy as the HTML
views; records are addressed by public UUIDs; a record on a case the user may not see is a 404.

The assessment uses optimistic locking: send the `lock_version` you read; a stale one answers
409 with the saved version in `error.current`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from agencies.api import AuditedListMixin
from agencies.policy import check, require
from audit.services import record
from cases.api.support import CaseScoped, PersonRef, _conflict, _lock_version

from . import selectors as sel
from . import selectors_matching as msel
from . import services as svc
from . import services_placements as ps
from .choices import (
    ActivitySource,
    Interest,
    Outcome,
    PlacementRole,
    PlacementStatus,
    Transport,
    Weekday,
)
from .matching import CRITERIA, clean_weights, rank, score
from .models import FollowUp, ParticipationAssessment, Placement, ResourceGap

router = DefaultRouter()


class ParticipationAssessmentSerializer(serializers.ModelSerializer):
    case = serializers.SlugRelatedField(slug_field="public_id", read_only=True)
    person = serializers.SlugRelatedField(slug_field="public_id", read_only=True)
    interests = serializers.ListField(
        child=serializers.ChoiceField(choices=Interest.choices), required=False
    )
    transport = serializers.ListField(
        child=serializers.ChoiceField(choices=Transport.choices), required=False
    )
    days = serializers.ListField(
        child=serializers.ChoiceField(choices=Weekday.choices),
        required=False,
        help_text="0=月 … 6=日",
    )

    class Meta:
        model = ParticipationAssessment
        fields = [
            "public_id",
            "case",
            "person",
            "number",
            "is_current",
            "lock_version",
            *ParticipationAssessment.CONTENT_FIELDS,
            "updated_at",
        ]
        read_only_fields = ["public_id", "number", "is_current", "updated_at"]


class AssessmentCreateSerializer(serializers.Serializer):
    case = serializers.UUIDField()
    person = PersonRef()


class ParticipationAssessmentViewSet(
    AuditedListMixin,
    CaseScoped,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """参加支援アセスメント: list with ?case=<uuid> (required), read, create a version, update."""

    serializer_class = ParticipationAssessmentSerializer
    lookup_field = "public_id"
    list_audit_action = "participation_assessment.list"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ParticipationAssessment.objects.none()
        qs = ParticipationAssessment.objects.filter(
            case__in=sel.cases_visible_to(self.request.user)
        ).select_related("case", "person")
        if self.action == "list":
            case = self.case_from(self.request.query_params.get("case"))
            if not check(self.request.user, "participation_assessment.view", case):
                return qs.none()  # the case, but not its sheets (a 支援会議 role)
            qs = qs.filter(case=case)
        return qs.order_by("person_id", "-number")

    @extend_schema(
        parameters=[OpenApiParameter("case", str, required=True, description="ケースの public_id")]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        decision = require(request.user, "participation_assessment.view", obj)
        record(
            actor=request.user,
            action="participation_assessment.view",
            obj=obj,
            basis=decision.basis,
        )
        return Response(self.get_serializer(obj).data)

    @extend_schema(
        request=AssessmentCreateSerializer,
        responses={201: ParticipationAssessmentSerializer},
    )
    def create(self, request):
        incoming = AssessmentCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        case = self.case_from(incoming.validated_data["case"])
        a = svc.assessment_create(
            case=case, person=incoming.validated_data["person"], actor=request.user
        )
        return Response(self.get_serializer(a).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: ParticipationAssessmentSerializer})
    def partial_update(self, request, public_id=None):
        a = self.get_object()
        require(request.user, "participation_assessment.edit", a)
        serializer = self.get_serializer(a, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("lock_version", None)
        try:
            svc.assessment_update(
                assessment=a, actor=request.user, data=data, lock_version=_lock_version(request)
            )
        except svc.EditConflict as exc:
            raise _conflict(exc.current, ParticipationAssessmentSerializer)
        return Response(self.get_serializer(ParticipationAssessment.objects.get(pk=a.pk)).data)


router.register(
    "participation/assessments",
    ParticipationAssessmentViewSet,
    basename="participation-assessment",
)


# --- matching, placements, catalogue, gaps ------------------------------------------------------


class MatchReasonSerializer(serializers.Serializer):
    criterion = serializers.CharField()
    text = serializers.CharField()
    points = serializers.FloatField()


class ResourceMatchSerializer(serializers.Serializer):
    resource = serializers.UUIDField(help_text="社会資源の public_id")
    name = serializers.CharField()
    rank = serializers.IntegerField()
    score = serializers.FloatField()
    excluded_by_condition = serializers.BooleanField(help_text="年齢・定員の条件に合わない")
    occupied = serializers.IntegerField()
    capacity = serializers.IntegerField(allow_null=True)
    reasons_for = MatchReasonSerializer(many=True)
    reasons_against = MatchReasonSerializer(many=True)
    notes = MatchReasonSerializer(many=True)


class PlacementSerializer(serializers.ModelSerializer):
    case = serializers.SlugRelatedField(slug_field="public_id", read_only=True)
    person = serializers.SlugRelatedField(slug_field="public_id", read_only=True)
    resource = serializers.SlugRelatedField(slug_field="public_id", read_only=True)
    resource_name = serializers.CharField(source="resource.name", read_only=True)
    assessment = serializers.SlugRelatedField(
        slug_field="public_id", read_only=True, allow_null=True
    )

    class Meta:
        model = Placement
        fields = [
            "public_id",
            "case",
            "person",
            "resource",
            "resource_name",
            "assessment",
            "role",
            "status",
            "status_changed_on",
            "proposed_on",
            "started_on",
            "ended_on",
            "outcome",
            "outcome_note",
            "activity",
            "match_score",
            "match_reasons",
            "updated_at",
        ]
        read_only_fields = fields


class ProposeSerializer(serializers.Serializer):
    assessment = serializers.UUIDField()
    resource = serializers.UUIDField()
    role = serializers.ChoiceField(choices=PlacementRole.choices, default=PlacementRole.USER)
    activity = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    proposed_on = serializers.DateField(required=False)


class MoveSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=PlacementStatus.choices)
    on = serializers.DateField(required=False)
    note = serializers.CharField(required=False, default="", allow_blank=True)
    outcome = serializers.ChoiceField(
        choices=Outcome.choices, required=False, default="", allow_blank=True
    )
    outcome_note = serializers.CharField(required=False, default="", allow_blank=True)


class ActivitySerializer(serializers.Serializer):
    days = serializers.ListField(child=serializers.DateField(), min_length=1, max_length=31)
    hours = serializers.DecimalField(max_digits=4, decimal_places=1)
    source = serializers.ChoiceField(choices=ActivitySource.choices, default=ActivitySource.WORKER)
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class FollowUpSerializer(serializers.ModelSerializer):
    staff = serializers.CharField(source="staff.display_name", read_only=True)

    class Meta:
        model = FollowUp
        fields = ["target", "kind", "on", "minutes", "content", "staff", "created_at"]
        read_only_fields = ["staff", "created_at"]


def _assessment_for(request, public_id) -> ParticipationAssessment:
    try:
        a = ParticipationAssessment.objects.select_related("case", "person").get(
            public_id=public_id
        )
    except (ParticipationAssessment.DoesNotExist, DjangoValidationError):
        raise exceptions.NotFound()
    if not check(request.user, "participation.match", a):
        raise exceptions.NotFound()
    return a


class MatchViewSet(viewsets.ViewSet):
    """Ranked resources with reasons for one participation assessment. Nothing is stored."""

    permission_classes = [IsAuthenticated]
    lookup_field = "public_id"

    @extend_schema(
        parameters=[
            *[
                OpenApiParameter(c, float, description="重み 0〜3(標準1)")
                for c in ("interest", "distance", "hours", "role")
            ],
            *[
                OpenApiParameter(c, float, description="重み 0〜3(標準1)")
                for c in ("withdrawal", "capacity", "conditions", "income")
            ],
            OpenApiParameter("x", str, many=True, description="除外する社会資源の public_id"),
            OpenApiParameter("limit", int, description="件数(既定30、最大200)"),
            OpenApiParameter(
                "public_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="アセスメント"
            ),
        ],
        responses={200: ResourceMatchSerializer(many=True)},
    )
    def retrieve(self, request, public_id=None):
        a = _assessment_for(request, public_id)
        decision = require(request.user, "participation.match", a)
        weights = clean_weights({k: request.query_params.get(k) for k in CRITERIA})
        excluded = request.query_params.getlist("x")[:200]
        try:
            limit = max(1, min(200, int(request.query_params.get("limit", 30))))
        except ValueError:
            raise exceptions.ValidationError({"limit": [_("件数は数字で指定してください。")]})
        results = rank(sel.person_facts(a), msel.catalogue_facts(), weights, excluded)[:limit]
        record(actor=request.user, action="participation.match", obj=a, basis=decision.basis)
        data = []
        for m in results:
            row = m.as_dict()
            row["occupied"] = m.resource.occupied
            row["capacity"] = m.resource.capacity
            data.append(row)
        return Response(ResourceMatchSerializer(data, many=True).data)


class PlacementViewSet(
    AuditedListMixin, CaseScoped, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """参加先: list with ?case=<uuid>, read, propose, move, log activity days and follow-up."""

    serializer_class = PlacementSerializer
    lookup_field = "public_id"
    list_audit_action = "placement.list"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Placement.objects.none()
        qs = Placement.objects.filter(case__in=sel.cases_visible_to(self.request.user))
        if self.action == "list":
            qs = qs.filter(case=self.case_from(self.request.query_params.get("case")))
        return qs.select_related("case", "person", "resource", "assessment").order_by("-pk")

    @extend_schema(
        parameters=[OpenApiParameter("case", str, required=True, description="ケースの public_id")]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, public_id=None):
        p = self.get_object()
        decision = require(request.user, "placement.view", p)
        record(actor=request.user, action="placement.view", obj=p, basis=decision.basis)
        return Response(self.get_serializer(p).data)

    @extend_schema(request=ProposeSerializer, responses={201: PlacementSerializer})
    def create(self, request):
        from community.models import Resource

        incoming = ProposeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        d = incoming.validated_data
        a = _assessment_for(request, d["assessment"])
        try:
            resource = msel.catalogue_queryset().get(public_id=d["resource"])
        except Resource.DoesNotExist:
            raise exceptions.ValidationError({"resource": [_("社会資源が見つかりません。")]})
        match = score(sel.person_facts(a), msel.resource_facts(resource))
        p = ps.placement_propose(
            assessment=a,
            resource=resource,
            actor=request.user,
            role=d["role"],
            activity=d["activity"],
            match=match,
            proposed_on=d.get("proposed_on"),
        )
        return Response(self.get_serializer(p).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MoveSerializer, responses={200: PlacementSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request, public_id=None):
        p = self.get_object()
        incoming = MoveSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        p = ps.placement_move(placement=p, actor=request.user, **incoming.validated_data)
        return Response(self.get_serializer(p).data)

    @extend_schema(request=ActivitySerializer, responses={200: PlacementSerializer})
    @action(detail=True, methods=["post"])
    def activity(self, request, public_id=None):
        p = self.get_object()
        incoming = ActivitySerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        ps.activity_record(placement=p, actor=request.user, **incoming.validated_data)
        return Response(self.get_serializer(p).data)

    @extend_schema(request=FollowUpSerializer, responses={201: FollowUpSerializer})
    @action(detail=True, methods=["post"], url_path="follow-ups")
    def follow_ups(self, request, public_id=None):
        p = self.get_object()
        incoming = FollowUpSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        f = ps.follow_up_record(placement=p, actor=request.user, **incoming.validated_data)
        return Response(FollowUpSerializer(f).data, status=status.HTTP_201_CREATED)


class CatalogueSerializer(serializers.Serializer):
    public_id = serializers.UUIDField()
    name = serializers.CharField()
    kind = serializers.CharField()
    area = serializers.CharField(source="area.name", allow_null=True, default=None)
    capacity = serializers.IntegerField(allow_null=True)
    occupied = serializers.IntegerField(help_text="体験・参加中の人数")
    accepts_helpers = serializers.BooleanField()
    activities = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_activities(self, obj):
        return sorted(msel.resource_facts(obj).activities)


class CatalogueViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """社会資源 with their occupancy and matching activities (no personal data)."""

    permission_classes = [IsAuthenticated]
    serializer_class = CatalogueSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return msel.catalogue_queryset().none()
        require(self.request.user, "participation.catalogue")
        return msel.catalogue_queryset()


class GapSerializer(serializers.ModelSerializer):
    assessment = serializers.UUIDField(write_only=True, required=False)
    community_issue = serializers.SlugRelatedField(
        slug_field="public_id", read_only=True, allow_null=True
    )
    resource = serializers.SlugRelatedField(slug_field="public_id", read_only=True, allow_null=True)
    interests = serializers.ListField(
        child=serializers.ChoiceField(choices=Interest.choices), required=False
    )

    class Meta:
        model = ResourceGap
        fields = [
            "public_id",
            "assessment",
            "title",
            "description",
            "interests",
            "recorded_on",
            "community_issue",
            "resource",
        ]
        read_only_fields = ["public_id", "recorded_on", "community_issue", "resource"]


class GapViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """資源の不足: list, record (optionally from an assessment), raise as a community issue."""

    permission_classes = [IsAuthenticated]
    serializer_class = GapSerializer
    lookup_field = "public_id"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ResourceGap.objects.none()
        require(self.request.user, "resource_gap.list")
        return ResourceGap.objects.select_related("community_issue", "resource").order_by("-pk")

    def create(self, request):
        incoming = GapSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        d = dict(incoming.validated_data)
        assessment = _assessment_for(request, d.pop("assessment")) if "assessment" in d else None
        gap = ps.gap_record(actor=request.user, assessment=assessment, **d)
        return Response(GapSerializer(gap).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: GapSerializer})
    @action(detail=True, methods=["post"], url_path="raise-issue")
    def raise_issue(self, request, public_id=None):
        gap = self.get_object()
        ps.gap_raise_issue(gap=gap, actor=request.user)
        return Response(GapSerializer(ResourceGap.objects.get(pk=gap.pk)).data)


router.register("participation/matches", MatchViewSet, basename="participation-match")
router.register("participation/placements", PlacementViewSet, basename="placement")
router.register("participation/resources", CatalogueViewSet, basename="participation-resource")
router.register("participation/gaps", GapViewSet, basename="resource-gap")
urlpatterns = router.urls
