"""Volunteers and supporters (ボランティア・サポーター): the registry, training taken, and hours.

A volunteer's own record is personal data (name, contact): only community staff see it. A
volunteer who was once supported (受け手→支え手) is recorded only with their consent, and the
link to their person record only then."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies import jpdates
from agencies.jpdates import format_date
from community.choices import TrainingKind

from .checks import not_before


class Volunteer(models.Model):
    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("氏名"), max_length=100)
    kana = models.CharField(_("ふりがな"), max_length=100, blank=True)
    phone = models.CharField(_("電話番号"), max_length=20, blank=True)
    email = models.EmailField(_("メールアドレス"), blank=True)
    areas = models.ManyToManyField(
        "agencies.Area", verbose_name=_("活動できる地域"), blank=True, related_name="+"
    )
    skills = models.JSONField(_("得意なこと"), default=list, blank=True)
    availability = models.CharField(
        _("活動できる日時"), max_length=200, blank=True, help_text=_("例: 平日午前、土曜")
    )
    registered_on = models.DateField(_("登録日"), default=timezone.localdate)
    active = models.BooleanField(_("活動中"), default=True)
    coordinator_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("登録先(ボランティアセンター等)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # 受け手→支え手
    was_supported = models.BooleanField(_("支援を受けた経験から担い手に"), default=False)
    path_consent_on = models.DateField(_("記録への本人同意日"), null=True, blank=True)
    path_note = models.TextField(_("経過(本人が同意した範囲)"), blank=True)
    person = models.ForeignKey(
        "cases.Person",
        verbose_name=_("対象者の記録"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("備考"), blank=True)
    created_by = models.ForeignKey(
        "agencies.User", verbose_name=_("登録者"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("ボランティア")
        verbose_name_plural = _("ボランティア")
        ordering = ["kana", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(was_supported=False) | Q(path_consent_on__isnull=False),
                name="volunteer_path_needs_consent",
                violation_error_message=_(
                    "受け手から支え手になった経過は、本人の同意日を入れて記録してください。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=True) | Q(path_consent_on__isnull=False),
                name="volunteer_person_link_needs_consent",
                violation_error_message=_("対象者の記録とのつながりは本人の同意が必要です。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def audit_label(self) -> str:
        return f"volunteer:{self.public_id}"

    def clean(self):
        jpdates.no_future_dates(self, "registered_on", "path_consent_on")


class VolunteerTraining(models.Model):
    volunteer = models.ForeignKey(
        Volunteer,
        verbose_name=_("ボランティア"),
        on_delete=models.CASCADE,
        related_name="trainings",
    )
    kind = models.CharField(_("研修"), max_length=20, choices=TrainingKind.choices)
    taken_on = models.DateField(_("受講日"))
    program_session = models.ForeignKey(
        "community.ProgramSession",
        verbose_name=_("講座の回"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="trainees",
    )

    class Meta:
        verbose_name = _("受講歴")
        verbose_name_plural = _("受講歴")
        ordering = ["-taken_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {format_date(self.taken_on)}"

    def clean(self):
        jpdates.no_future_dates(self, "taken_on")
        if self.volunteer_id:
            not_before(self, "taken_on", self.volunteer.registered_on, _("ボランティアの登録日"))


class VolunteerActivity(models.Model):
    volunteer = models.ForeignKey(
        Volunteer,
        verbose_name=_("ボランティア"),
        on_delete=models.CASCADE,
        related_name="activities",
    )
    resource = models.ForeignKey(
        "community.Resource",
        verbose_name=_("活動先"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer_activities",
    )
    done_on = models.DateField(_("活動日"))
    hours = models.DecimalField(_("時間"), max_digits=5, decimal_places=1)
    description = models.CharField(_("内容"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("活動記録")
        verbose_name_plural = _("活動記録")
        ordering = ["-done_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="volunteer_activity_hours")
        ]

    def __str__(self) -> str:
        return f"{format_date(self.done_on)} {self.hours}h"

    def clean(self):
        jpdates.no_future_dates(self, "done_on")
        if self.volunteer_id:
            not_before(self, "done_on", self.volunteer.registered_on, _("ボランティアの登録日"))
