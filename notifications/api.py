"""API v1: my notifications (list, retrieve) and marking them read. Only ever the caller's own."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from agencies.api import READ_ERRORS, PolicyPermission

from . import selectors, services
from .models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    unread = serializers.BooleanField(source="is_unread", read_only=True)
    # Rendered from the stored message code in the caller's language (older rows: stored text).
    title = serializers.CharField(source="display_title", read_only=True)
    body = serializers.CharField(source="display_body", read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "rule",
            "title",
            "body",
            "url",
            "due_date",
            "level",
            "unread",
            "created_at",
            "read_at",
            "resolved_at",
        ]
        read_only_fields = fields


class MarkAllReadSerializer(serializers.Serializer):
    updated = serializers.IntegerField()


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("show", enum=["unread", "urgent", "all"], default="all")],
        responses={200: NotificationSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(responses={200: NotificationSerializer, **READ_ERRORS}),
)
class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The caller's notifications. `?show=unread|urgent|all` (default all)."""

    serializer_class = NotificationSerializer
    permission_classes = [permissions.IsAuthenticated, PolicyPermission]
    policy_actions = {
        "list": "notification.list",
        "retrieve": "notification.view",
        "read": "notification.update",
        "read_all": "notification.list",
    }
    lookup_field = "public_id"
    lookup_value_converter = "uuid"
    filterset_fields = ["level", "rule"]
    queryset = Notification.objects.none()  # the schema's model; requests use get_queryset()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        show = self.request.query_params.get("show", "all")
        return selectors.inbox(
            self.request.user, show=show if show in ("unread", "urgent") else "all"
        )

    @extend_schema(request=None, responses={200: NotificationSerializer, **READ_ERRORS})
    @action(detail=True, methods=["post"])
    def read(self, request, public_id=None):
        notification = self.get_object()
        services.notification_mark_read(notification=notification, actor=request.user)
        notification.refresh_from_db()
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=None, responses={200: MarkAllReadSerializer, **READ_ERRORS})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        updated = services.notification_mark_all_read(actor=request.user)
        return Response({"updated": updated})


router = SimpleRouter()
router.register("notifications", NotificationViewSet, basename="notification")
urlpatterns = router.urls
