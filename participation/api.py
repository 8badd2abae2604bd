"""REST API of 参加支援 (under /api/v1/). The same selectors, services and policy as the HTML
views; records are addressed by public UUIDs; a record on a case the user may not see is a 404.

The assessment uses optimistic locking: send the `lock_version` you read; a stale one answers
409 with the saved version in `error.current`.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from agencies.api import AuditedListMixin
from agencies.policy import require
from audit.services import record
from cases.api.support import CaseScoped, PersonRef, _conflict, _lock_version

from . import selectors as sel
from . import services as svc
from .choices import Interest, Transport, Weekday
from .models import ParticipationAssessment

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
            qs = qs.filter(case=self.case_from(self.request.query_params.get("case")))
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

urlpatterns = router.urls
