"""会議体 (meeting bodies), their standing members and confidentiality pledges."""

import datetime as dt
import uuid

from dateutil import rrule
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.jpdates import fiscal_year, next_business_day

from ..choices import (
    DESIGNATED_BASIS,
    KIND_BASIS,
    BodyKind,
    DesignatedFrom,
    MemberRole,
    Recurrence,
    Weekday,
    WeekOfMonth,
)


class MeetingBodyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class MeetingBody(models.Model):
    """A standing meeting with a legal basis: 支援会議 (art. 106-6) or 重層的支援会議."""

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("会議体の名称"), max_length=120)
    kind = models.CharField(_("法的位置付け"), max_length=20, choices=BodyKind.choices)
    designated_from = models.CharField(
        _("位置付けた既存の会議体"),
        max_length=20,
        choices=DesignatedFrom.choices,
        default=DesignatedFrom.NEW,
    )
    own_basis = models.CharField(
        _("既存会議体の根拠法令"),
        max_length=200,
        blank=True,
        help_text=_(
            "既存の会議体を位置付けた場合、その会議体自身の根拠(例: 介護保険法第115条の48)。"
        ),
    )
    # The registry row that decides what members may see (access.LegalBasis); set from the kind
    # and the designated meeting when not chosen, fixed once meetings are recorded.
    basis = models.ForeignKey(
        "access.LegalBasis",
        verbose_name=_("情報共有の根拠"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bodies",
    )
    purpose = models.TextField(_("所掌事項・目的"), blank=True)
    convenor = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("開催機関(事務局)"),
        on_delete=models.PROTECT,
        related_name="meeting_bodies",
    )
    area = models.ForeignKey(
        "agencies.Area",
        verbose_name=_("対象圏域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recurrence = models.CharField(
        _("定例開催"), max_length=20, choices=Recurrence.choices, default=Recurrence.NONE
    )
    recur_week = models.SmallIntegerField(
        _("第N週"), choices=WeekOfMonth.choices, null=True, blank=True
    )
    recur_weekday = models.PositiveSmallIntegerField(
        _("曜日"), choices=Weekday.choices, null=True, blank=True
    )
    recur_day = models.PositiveSmallIntegerField(_("日"), null=True, blank=True)
    recur_interval = models.PositiveSmallIntegerField(
        _("間隔(週・月)"), default=1, help_text=_("隔週なら2、隔月なら2。")
    )
    default_start_time = models.TimeField(_("開始時刻"), default=dt.time(14, 0))
    default_duration_minutes = models.PositiveSmallIntegerField(_("所要時間(分)"), default=90)
    default_place = models.CharField(_("通常の開催場所"), max_length=120, blank=True)
    avoid_holidays = models.BooleanField(_("祝日・閉庁日は翌開庁日に移す"), default=True)
    submission_deadline_days = models.PositiveSmallIntegerField(
        _("議題の提出期限(開催日の何日前)"), default=7
    )
    active = models.BooleanField(_("有効"), default=True)
    created_by = models.ForeignKey(
        "agencies.User", verbose_name=_("登録者"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    objects = MeetingBodyQuerySet.as_manager()

    class Meta:
        verbose_name = _("会議体")
        verbose_name_plural = _("会議体")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="meeting_body_unique_name"),
            models.CheckConstraint(
                condition=Q(recur_day__isnull=True) | Q(recur_day__gte=1, recur_day__lte=28),
                name="meeting_body_recur_day_range",
            ),
            models.CheckConstraint(
                condition=Q(recur_interval__gte=1, recur_interval__lte=12),
                name="meeting_body_recur_interval_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("meetings:body_detail", args=[self.public_id])

    def audit_label(self) -> str:
        return f"body:{self.public_id}"

    @property
    def is_shien_kaigi(self) -> bool:
        return self.kind == BodyKind.SHIEN_KAIGI

    @property
    def legal_basis(self) -> str:
        """The basis printed on every paper: the statute, plus the designated meeting's own."""
        parts = [str(KIND_BASIS[BodyKind(self.kind)])]
        own = self.own_basis or str(DESIGNATED_BASIS.get(self.designated_from, ""))
        if self.designated_from != DesignatedFrom.NEW and own:
            parts.append(
                str(_("%(meeting)sを位置付け(%(basis)s)"))
                % {"meeting": self.get_designated_from_display(), "basis": own}
            )
        return " / ".join(parts)

    def recurrence_label(self) -> str:
        if self.recurrence == Recurrence.MONTHLY_WEEKDAY and self.recur_weekday is not None:
            every = (
                _("毎月")
                if self.recur_interval == 1
                else _("%(n)sか月ごと") % {"n": self.recur_interval}
            )
            return (
                f"{every} {WeekOfMonth(self.recur_week).label}{Weekday(self.recur_weekday).label}"
            )
        if self.recurrence == Recurrence.MONTHLY_DAY and self.recur_day:
            every = (
                _("毎月")
                if self.recur_interval == 1
                else _("%(n)sか月ごと") % {"n": self.recur_interval}
            )
            return str(_("%(every)s %(day)s日")) % {"every": every, "day": self.recur_day}
        if self.recurrence == Recurrence.WEEKLY and self.recur_weekday is not None:
            every = _("毎週") if self.recur_interval == 1 else _("隔週")
            return f"{every} {Weekday(self.recur_weekday).label}"
        return str(_("定例なし"))

    def occurrences(self, after: dt.date, count: int) -> list[dt.date]:
        """The next `count` meeting dates strictly after `after`, from the recurrence rule.

        Dates falling on a national holiday or municipal closure day move to the next business
        day when `avoid_holidays` is set (a meeting on 3rd Wednesday that is 祝日 moves to Thu).
        """
        if self.recurrence == Recurrence.NONE or count <= 0:
            return []
        start = after + dt.timedelta(days=1)
        kwargs: dict = {
            "dtstart": dt.datetime.combine(start, dt.time()),
            "interval": self.recur_interval,
        }
        if self.recurrence == Recurrence.MONTHLY_WEEKDAY:
            weekday = rrule.weekdays[self.recur_weekday](self.recur_week)
            rule = rrule.rrule(rrule.MONTHLY, byweekday=weekday, **kwargs)
        elif self.recurrence == Recurrence.MONTHLY_DAY:
            rule = rrule.rrule(rrule.MONTHLY, bymonthday=self.recur_day, **kwargs)
        else:
            rule = rrule.rrule(rrule.WEEKLY, byweekday=self.recur_weekday, **kwargs)
        dates: list[dt.date] = []
        for occurrence in rule:
            day = occurrence.date()
            if self.avoid_holidays:
                day = next_business_day(day)
            if day > after and day not in dates:
                dates.append(day)
            if len(dates) >= count:
                break
        return dates


class BodyMemberQuerySet(models.QuerySet):
    def current(self, on=None):
        on = on or timezone.localdate()
        # The day of leaving already has no seat: access ends the moment a member is removed.
        return self.filter(Q(left_on__isnull=True) | Q(left_on__gt=on), joined_on__lte=on)


class BodyMember(models.Model):
    """A standing member: a staff user, or an external person with their organisation."""

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    body = models.ForeignKey(
        MeetingBody, verbose_name=_("会議体"), on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        "agencies.User",
        verbose_name=_("職員"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_memberships",
    )
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("所属機関"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    external_name = models.CharField(_("氏名(外部構成員)"), max_length=100, blank=True)
    external_organisation = models.CharField(_("所属団体(外部構成員)"), max_length=150, blank=True)
    title = models.CharField(_("役職"), max_length=60, blank=True)
    role = models.CharField(
        _("会議での役割"), max_length=20, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    email = models.EmailField(_("連絡先メール"), blank=True)
    joined_on = models.DateField(_("就任日"), default=timezone.localdate)
    left_on = models.DateField(_("退任日"), null=True, blank=True)

    objects = BodyMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("構成員")
        verbose_name_plural = _("構成員")
        ordering = ["body", "role", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(external_name=""),
                name="body_member_user_or_external",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="body_member_left_after_joined",
            ),
            models.UniqueConstraint(
                fields=["body", "user"],
                condition=Q(user__isnull=False, left_on__isnull=True),
                name="body_member_one_current_seat_per_user",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def audit_label(self) -> str:
        return f"body-member:{self.public_id}"

    @property
    def display_name(self) -> str:
        if self.user_id:
            return str(self.user)
        return self.external_name

    @property
    def organisation(self) -> str:
        if self.agency_id:
            return self.agency.short_name or self.agency.name
        return self.external_organisation

    @property
    def is_external(self) -> bool:
        return self.user_id is None

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return self.joined_on <= today and (self.left_on is None or self.left_on > today)


class PledgeQuerySet(models.QuerySet):
    def current(self, on=None):
        """Pledges of the fiscal year containing `on` (today), not revoked."""
        on = on or timezone.localdate()
        return self.filter(fiscal_year=fiscal_year(on), revoked_at__isnull=True, signed_on__lte=on)


def pledge_upload_to(instance, filename: str) -> str:
    # Never the member's name in a path: the body's and the pledge's ids only.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"pledges/{instance.fiscal_year}/{uuid.uuid4().hex}.{ext}"


class ConfidentialityPledge(models.Model):
    """守秘義務の誓約 of one member for one fiscal year. Without it no 支援会議 material opens."""

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    member = models.ForeignKey(
        BodyMember, verbose_name=_("構成員"), on_delete=models.PROTECT, related_name="pledges"
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    signed_on = models.DateField(_("誓約日"))
    # Stored under MEDIA_ROOT, outside the web root; served only by a policy-checked view.
    document = models.FileField(_("誓約書(スキャン)"), upload_to=pledge_upload_to, blank=True)
    document_type = models.CharField(_("ファイル形式"), max_length=40, blank=True)
    document_size = models.PositiveIntegerField(_("ファイルサイズ"), default=0)
    recorded_by = models.ForeignKey(
        "agencies.User", verbose_name=_("登録者"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登録日時"), default=timezone.now)
    revoked_at = models.DateTimeField(_("取消日時"), null=True, blank=True)
    note = models.CharField(_("備考"), max_length=200, blank=True)

    objects = PledgeQuerySet.as_manager()

    class Meta:
        verbose_name = _("守秘義務の誓約")
        verbose_name_plural = _("守秘義務の誓約")
        ordering = ["-fiscal_year", "member"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "fiscal_year"],
                condition=Q(revoked_at__isnull=True),
                name="one_pledge_per_member_per_fiscal_year",
            )
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year}年度 誓約"

    def audit_label(self) -> str:
        return f"pledge:{self.public_id}"
