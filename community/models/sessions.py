"""Sessions of a place (開催) with the host's anonymous tally, and the 気づき / consultations that
arose there.

A tally is counts only — no names: the host counts on paper or a phone by age band and
attribute. 延べ participants = the sum of the age bands (kept in `participants` so a year of
sessions across the city sums in one query)."""

import uuid

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.jpdates import format_date
from community.choices import AGE_BANDS, ATTRIBUTES

from .checks import not_before

# A tally counts people of one session: at most 9,999 in a field (the form's cap, and the API's
# through the model). Without it the API took 2**63 - 1, which saved and then overflowed every
# sum of the place's figures.
MAX_COUNT = 9999


def _count(label):
    return models.PositiveIntegerField(label, default=0, validators=[MaxValueValidator(MAX_COUNT)])


class SessionQuerySet(models.QuerySet):
    def between(self, start, end):
        return self.filter(held_on__gte=start, held_on__lte=end)


class Session(models.Model):
    """One session (開催) of a place and its tally."""

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    resource = models.ForeignKey(
        "community.Resource",
        verbose_name=_("拠点・居場所"),
        on_delete=models.PROTECT,
        related_name="sessions",
        db_index=False,  # session_resource_day begins with it
    )
    held_on = models.DateField(_("開催日"), db_index=True)
    title = models.CharField(_("内容・テーマ"), max_length=120, blank=True)

    age_under10 = _count(AGE_BANDS[0][1])
    age_10s = _count(AGE_BANDS[1][1])
    age_20s = _count(AGE_BANDS[2][1])
    age_30s = _count(AGE_BANDS[3][1])
    age_40s = _count(AGE_BANDS[4][1])
    age_50s = _count(AGE_BANDS[5][1])
    age_60s = _count(AGE_BANDS[6][1])
    age_70s = _count(AGE_BANDS[7][1])
    age_80plus = _count(AGE_BANDS[8][1])

    attr_elderly = _count(ATTRIBUTES[0][1])
    attr_disability = _count(ATTRIBUTES[1][1])
    attr_child = _count(ATTRIBUTES[2][1])
    attr_youth = _count(ATTRIBUTES[3][1])
    attr_other = _count(ATTRIBUTES[4][1])

    participants = models.PositiveIntegerField(_("参加者数(延べ)"), default=0, editable=False)
    new_participants = _count(_("うち初参加"))
    volunteers = _count(_("ボランティア数"))
    volunteer_hours = models.DecimalField(
        _("ボランティア活動時間(延べ)"), max_digits=6, decimal_places=1, default=0
    )
    became_helpers = _count(_("参加者から担い手になった人"))
    consultations = _count(_("相談・気づきの件数"))
    note = models.TextField(
        _("メモ"), blank=True, help_text=_("個人が特定できることは書かないでください。")
    )

    recorded_by = models.ForeignKey(
        "agencies.User", verbose_name=_("記録者"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("記録日時"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    version = models.PositiveIntegerField(_("版"), default=1, editable=False)
    # A double tap on a phone must not log the session twice.
    idempotency_key = models.UUIDField(
        _("送信トークン"), null=True, blank=True, unique=True, editable=False
    )

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("開催記録")
        verbose_name_plural = _("開催記録")
        ordering = ["-held_on", "-pk"]
        # A place's sessions newest first, in the list's own order: with (resource, held_on) a
        # prepared statement's generic plan took the resource's index and sorted all 1,460
        # sessions of the busiest place to show 12 (0.6 ms; 0.03 ms along this one).
        indexes = [models.Index(fields=["resource", "held_on", "id"], name="session_resource_day")]
        constraints = [
            models.CheckConstraint(
                condition=Q(new_participants__lte=models.F("participants")),
                name="session_new_within_total",
                violation_error_message=_("初参加の人数は参加者数(延べ)以下にしてください。"),
            ),
            # One tally per place and day: a second one doubled 開催回数 and 延べ participants.
            # The service says so at 開催日 (services_activity.session_record).
            models.UniqueConstraint(fields=["resource", "held_on"], name="session_one_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.resource} {format_date(self.held_on)}"

    def audit_label(self) -> str:
        return f"session:{self.public_id}"

    def clean(self):
        if self.resource_id:
            not_before(self, "held_on", self.resource.start_date, _("拠点・居場所の開始日"))

    def age_total(self) -> int:
        return sum(getattr(self, f) for f, _label in AGE_BANDS)

    def attribute_total(self) -> int:
        return sum(getattr(self, f) for f, _label in ATTRIBUTES)


class PlaceConcern(models.Model):
    """A 気づき passed on from a place (its 気づきシート), and the consultation it led to. Reports
    count consultations that came from 居場所 through this link; the place page shows counts only
    (the slip and the consultation stay behind their own access rules in cases/)."""

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    resource = models.ForeignKey(
        "community.Resource",
        verbose_name=_("拠点・居場所"),
        on_delete=models.PROTECT,
        related_name="concerns",
    )
    session = models.ForeignKey(
        Session,
        verbose_name=_("開催"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="concerns",
    )
    concern_slip = models.OneToOneField(
        "cases.ConcernSlip",
        verbose_name=_("気づきシート"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="place_link",
    )
    consultation = models.OneToOneField(
        "cases.Consultation",
        verbose_name=_("相談受付"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="place_link",
    )
    noticed_on = models.DateField(_("気づいた日"), default=timezone.localdate)
    created_by = models.ForeignKey(
        "agencies.User", verbose_name=_("記録者"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)
    linked_at = models.DateTimeField(_("相談につないだ日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("居場所からの気づき")
        verbose_name_plural = _("居場所からの気づき")
        ordering = ["-noticed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(concern_slip__isnull=False) | Q(consultation__isnull=False),
                name="placeconcern_has_slip_or_consultation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource} {format_date(self.noticed_on)}"

    def audit_label(self) -> str:
        return f"place-concern:{self.public_id}"
