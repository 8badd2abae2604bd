"""API v1: records due for anonymisation and the ledger (administrators), and the approval."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from agencies.api import READ_ERRORS, WRITE_ERRORS, PolicyPermission

from . import services
from .models import Anonymisation


class AnonymisationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    record = serializers.CharField(source="record_label", read_only=True)
    approved_by = serializers.CharField(
        source="approved_by.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Anonymisation
        fields = [
            "id",
            "kind",
            "record",
            "closed_on",
            "due_on",
            "legal_basis",
            "status",
            "listed_at",
            "approved_by",
            "approved_at",
            "persons",
            "households",
            "texts",
            "files",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(responses={200: AnonymisationSerializer(many=True), **READ_ERRORS}),
    retrieve=extend_schema(responses={200: AnonymisationSerializer, **READ_ERRORS}),
)
class AnonymisationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Records past their retention period (`status=due`) and those anonymised (`done`)."""

    serializer_class = AnonymisationSerializer
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    policy_actions = {
        "list": "retention.view",
        "retrieve": "retention.view",
        "approve": "retention.approve",
    }
    lookup_field = "public_id"
    lookup_value_converter = "uuid"
    filterset_fields = ["status", "kind"]
    queryset = Anonymisation.objects.select_related("approved_by").order_by("due_on", "pk")

    @extend_schema(request=None, responses={200: AnonymisationSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def approve(self, request, public_id=None):
        item = services.anonymisation_approve(item=self.get_object(), actor=request.user)
        return Response(self.get_serializer(item).data)


router = SimpleRouter()
router.register("anonymisations", AnonymisationViewSet, basename="anonymisation")
urlpatterns = router.urls
