"""API v1: the annual report's figures as JSON (counts only, never persons)."""

import datetime as dt

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.api import ERRORS
from agencies.policy import require

from . import services
from .build import build_annual_report, report_json
from .models import Target
from .services import record_report_read


class FigureValueSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("指標のコード(例: consultation.new.households)"))
    label = serializers.CharField()
    programme = serializers.CharField()
    group = serializers.CharField(help_text=_("内訳のとき、親の指標のコード"))
    basis = serializers.ChoiceField(choices=["distinct", "cumulative", "average", "share"])
    unit = serializers.ChoiceField(
        choices=["households", "persons", "items", "times", "days", "percent"]
    )
    basis_label = serializers.CharField(help_text=_("例: 実数・世帯"))
    value = serializers.FloatField(allow_null=True)
    target = serializers.FloatField(allow_null=True, help_text=_("量的目標の値"))
    target_text = serializers.CharField(help_text=_("質的目標の文章"))
    rate = serializers.FloatField(allow_null=True, help_text=_("達成率(%)"))


class AnnualReportSerializer(serializers.Serializer):
    fiscal_year = serializers.IntegerField()
    fiscal_year_label = serializers.CharField()
    as_of = serializers.DateField()
    figures = FigureValueSerializer(many=True)


class AnnualReportQuery(serializers.Serializer):
    fy = serializers.IntegerField(min_value=2000, max_value=2100, label=_("年度"))
    as_of = serializers.DateField(required=False, label=_("基準日"))

    def validate(self, data):
        start = dt.date(data["fy"], 4, 1)
        if data.get("as_of") and data["as_of"] < start:
            raise serializers.ValidationError(
                {"as_of": _("基準日は年度の初日(4月1日)以降にしてください。")}
            )
        return data


class AnnualReportView(APIView):
    """The figures of a fiscal year (4月〜3月) counted up to `as_of` (default: today or the
    year's last day), each with its basis and the year's target."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("fy", int, required=True, description=_("年度(西暦、例: 2026)")),
            OpenApiParameter("as_of", dt.date, required=False, description=_("基準日")),
        ],
        responses={200: AnnualReportSerializer, **ERRORS},
    )
    def get(self, request):
        require(request.user, "report.view")
        query = AnnualReportQuery(data=request.query_params)
        if not query.is_valid():
            raise ValidationError(query.errors)
        report = build_annual_report(query.validated_data["fy"], query.validated_data.get("as_of"))
        record_report_read(actor=request.user, report=report, via="api")
        return Response(report_json(report))


class TargetSerializer(serializers.Serializer):
    fiscal_year = serializers.IntegerField(min_value=2000, max_value=2100)
    figure_code = serializers.CharField(max_length=80)
    kind = serializers.ChoiceField(choices=["quantitative", "qualitative"])
    value = serializers.DecimalField(
        max_digits=12,
        decimal_places=1,
        min_value=0,
        required=False,
        allow_null=True,
        coerce_to_string=False,
    )
    text = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class TargetQuery(serializers.Serializer):
    fy = serializers.IntegerField(min_value=2000, max_value=2100, label=_("年度"))


class TargetListView(APIView):
    """成果目標 per fiscal year (admins): list with `?fy=`, create or replace with POST."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("fy", int, required=True, description=_("年度(西暦)"))],
        responses={200: TargetSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        require(request.user, "report.manage")
        query = TargetQuery(data=request.query_params)
        if not query.is_valid():
            raise ValidationError(query.errors)
        targets = Target.objects.filter(fiscal_year=query.validated_data["fy"])
        return Response(TargetSerializer(targets, many=True).data)

    @extend_schema(request=TargetSerializer, responses={200: TargetSerializer, **ERRORS})
    def post(self, request):
        require(request.user, "report.manage")
        body = TargetSerializer(data=request.data)
        if not body.is_valid():
            raise ValidationError(body.errors)
        target = services.target_set(actor=request.user, **body.validated_data)
        return Response(TargetSerializer(target).data)
