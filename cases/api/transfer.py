"""REST API of a transfer (異動) out of an agency: what the worker holds there, and the handover
that completes it. Addressed by the membership's id (a staff record, not a personal one); a
membership the user may not transfer is a 404. Same service and policy as the HTML page."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from agencies.api import ERRORS, READ_ERRORS
from agencies.models import User
from agencies.policy import require
from cases.models import WorkHandover
from cases.services import transfer as svc
from cases.views.transfer import transferable_memberships

router = DefaultRouter()


class StaffRef(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "public_id")
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", User.objects.filter(is_active=True))
        super().__init__(**kwargs)


class WorkItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=WorkHandover.Kind.choices)
    ref = serializers.CharField(help_text="後任者を個別に指定するときのキー(例: case:<uuid>)")
    label = serializers.CharField(help_text="番号・日付・拠点名(個人の内容を含まない)")
    as_what = serializers.CharField()
    detail = serializers.CharField(help_text="閲覧できる職員にだけ返す内容(主訴・役割)")


class SuccessorSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    display_name = serializers.CharField()


class TransferWorkSerializer(serializers.Serializer):
    membership = serializers.IntegerField()
    worker = serializers.UUIDField()
    agency = serializers.CharField()
    role = serializers.CharField()
    items = WorkItemSerializer(many=True)
    successors = SuccessorSerializer(many=True)


class AssignmentSerializer(serializers.Serializer):
    ref = serializers.CharField(max_length=100)
    to = StaffRef(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class TransferRequestSerializer(serializers.Serializer):
    transfer_date = serializers.DateField()
    successor = StaffRef(required=False, allow_null=True, help_text="全件をまとめて引き継ぐ職員")
    assignments = AssignmentSerializer(many=True, required=False, default=list)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class TransferResultSerializer(serializers.Serializer):
    membership = serializers.IntegerField()
    end_date = serializers.DateField()
    handed_over = WorkItemSerializer(many=True)


def _items(items) -> list[dict]:
    return [
        {
            "kind": i.kind,
            "ref": i.ref,
            "label": i.label,
            "as_what": str(i.as_what),
            "detail": i.detail or "",
        }
        for i in items
    ]


class StaffTransferViewSet(viewsets.ViewSet):
    """The work a staff member holds at an agency (GET), and the transfer that hands it over and
    ends the membership the day before the transfer date (POST …/complete/). Supervisors of the
    agency (for a colleague) and the administrator; the administrator gets labels without
    content. A transfer with anything left unassigned answers 400 listing what remains."""

    permission_classes = [IsAuthenticated]
    lookup_value_regex = r"\d+"

    def _membership(self, request, pk):
        membership = get_object_or_404(transferable_memberships(request.user), pk=int(pk))
        require(request.user, "membership.transfer_out", membership)
        return membership

    @extend_schema(responses={200: TransferWorkSerializer, **READ_ERRORS})
    def retrieve(self, request, pk=None):
        membership = self._membership(request, pk)
        items = svc.describe(svc.pending_work(membership), request.user)
        successors = svc.successors_for(membership, timezone.localdate())
        return Response(
            TransferWorkSerializer(
                {
                    "membership": membership.pk,
                    "worker": membership.user.public_id,
                    "agency": membership.agency.code,
                    "role": membership.role,
                    "items": _items(items),
                    "successors": list(successors),
                }
            ).data
        )

    @extend_schema(
        request=TransferRequestSerializer, responses={200: TransferResultSerializer, **ERRORS}
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        membership = self._membership(request, pk)
        body = TransferRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        to = {a["ref"]: a["to"] for a in data["assignments"] if a.get("to")}
        notes = {a["ref"]: a["note"] for a in data["assignments"] if a.get("note")}
        result = svc.staff_transfer(
            actor=request.user,
            membership=membership,
            transfer_date=data["transfer_date"],
            successor=data.get("successor"),
            assignments=to,
            notes=notes,
            note=data["note"],
        )
        return Response(
            TransferResultSerializer(
                {
                    "membership": result.membership.pk,
                    "end_date": result.membership.end_date,
                    "handed_over": _items(result.handed_over),
                }
            ).data
        )


router.register("staff-transfers", StaffTransferViewSet, basename="staff-transfer")
