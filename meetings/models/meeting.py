"""Meetings, attendance, agenda (requests and items), decisions, role assignments, addenda."""

import datetime as dt
import uuid

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.choices import Role
from agencies.jpdates import format_date

from ..choices import (
    AgendaKind,
    AttendanceStatus,
    DecisionKind,
    MeetingFormat,
    MeetingStatus,
    RequestStatus,
)


class MeetingQuerySet(models.QuerySet):
    def upcoming(self, now=None):
        now = now or timezone.now()
        return self.filter(starts_at__gte=now).exclude(status=MeetingStatus.CANCELLED)

    def not_cancelled(self):
        return self.exclude(status=MeetingStatus.CANCELLED)

    def in_range(self, start: dt.date, end: dt.date):
        """Meetings whose date (local) lies in [start, end)."""
        tz = timezone.get_current_timezone()
        return self.filter(
            starts_at__gte=dt.datetime.combine(start, dt.time(), tzinfo=tz),
            starts_at__lt=dt.datetime.combine(end, dt.time(), tzinfo=tz),
        )


class Meeting(models.Model):
    """One sitting of a body. planned → agenda_fixed → held → minutes_approved."""

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    body = models.ForeignKey(
        "meetings.MeetingBody",
        verbose_name=_("会議体"),
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    starts_at = models.DateTimeField(_("開始日時"))
    duration_minutes = models.PositiveSmallIntegerField(_("所要時間(分)"), default=90)
    place = models.CharField(_("開催場所"), max_length=120, blank=True)
    format = models.CharField(
        _("開催方法"), max_length=20, choices=MeetingFormat.choices, default=MeetingFormat.IN_PERSON
    )
    online = models.BooleanField(_("オンライン開催"), default=False)
    online_note = models.CharField(
        _("オンライン参加方法"),
        max_length=200,
        blank=True,
        help_text=_("会議URLは構成員に別途連絡し、ここには記載しない運用も可。"),
    )
    status = models.CharField(
        _("状態"), max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    # Optimistic lock: every agenda change bumps it; a stale form is refused.
    version = models.PositiveIntegerField(_("版"), default=1)
    minutes = models.TextField(_("議事録(全体)"), blank=True)
    agenda_fixed_at = models.DateTimeField(_("議題確定日時"), null=True, blank=True)
    agenda_fixed_by = models.ForeignKey(
        "agencies.User",
        verbose_name=_("議題確定者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    held_at = models.DateTimeField(_("開催記録日時"), null=True, blank=True)
    minutes_approved_at = models.DateTimeField(_("議事録承認日時"), null=True, blank=True)
    minutes_approved_by = models.ForeignKey(
        "agencies.User",
        verbose_name=_("議事録承認者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancelled_reason = models.CharField(_("中止の理由"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        "agencies.User", verbose_name=_("登録者"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    objects = MeetingQuerySet.as_manager()

    # A list that shows meetings the user may not open marks those (the body page, a staff
    # directory); every other list links them all. A default here, not a missing attribute: a
    # template asking for one that is missing pays ~10 µs of exceptions a row.
    locked = False

    class Meta:
        verbose_name = _("会議")
        verbose_name_plural = _("会議")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "starts_at"], name="one_meeting_per_body_and_time"
            ),
        ]
        indexes = [models.Index(fields=["starts_at"])]

    def __str__(self) -> str:
        return f"{self.body.name} {format_date(self.starts_at)}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:meeting_detail", args=[self.public_id])

    def audit_label(self) -> str:
        return f"meeting:{self.public_id}"

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)

    @property
    def date(self) -> dt.date:
        return timezone.localtime(self.starts_at).date()

    @property
    def submission_deadline(self) -> dt.date:
        return self.date - dt.timedelta(days=self.body.submission_deadline_days)

    @property
    def agenda_editable(self) -> bool:
        return self.status == MeetingStatus.PLANNED

    @property
    def minutes_locked(self) -> bool:
        return self.status in (MeetingStatus.MINUTES_APPROVED, MeetingStatus.CANCELLED)

    @property
    def status_tone(self) -> str:
        return {
            MeetingStatus.PLANNED: "neutral",
            MeetingStatus.AGENDA_FIXED: "warn",
            MeetingStatus.HELD: "warn",
            MeetingStatus.MINUTES_APPROVED: "ok",
            MeetingStatus.CANCELLED: "danger",
        }.get(self.status, "neutral")


class Attendance(models.Model):
    """Who attended: a standing member (present/absent/proxy) or an external attendee."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会議"), on_delete=models.CASCADE, related_name="attendance"
    )
    member = models.ForeignKey(
        "meetings.BodyMember",
        verbose_name=_("構成員"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attendance",
    )
    name = models.CharField(_("氏名(構成員以外)"), max_length=100, blank=True)
    organisation = models.CharField(_("所属"), max_length=150, blank=True)
    status = models.CharField(_("出欠"), max_length=10, choices=AttendanceStatus.choices)
    proxy_name = models.CharField(_("代理出席者"), max_length=100, blank=True)
    note = models.CharField(_("備考"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("出欠")
        verbose_name_plural = _("出欠")
        ordering = ["meeting", "member", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"],
                condition=Q(member__isnull=False),
                name="one_attendance_per_member",
            ),
            models.CheckConstraint(
                condition=Q(member__isnull=False) | ~Q(name=""), name="attendance_member_or_name"
            ),
            models.CheckConstraint(
                condition=~Q(status="proxy") | ~Q(proxy_name=""), name="attendance_proxy_named"
            ),
        ]

    def __str__(self) -> str:
        return self.get_status_display()

    @property
    def display_name(self) -> str:
        return self.member.display_name if self.member_id else self.name

    @property
    def display_organisation(self) -> str:
        return self.member.organisation if self.member_id else self.organisation


class AgendaRequestQuerySet(models.QuerySet):
    def waiting(self):
        return self.filter(status=RequestStatus.WAITING)


class AgendaRequest(models.Model):
    """A request to put something on a body's agenda: information sharing, a resource gap, or a
    worrying situation without consent (支援会議 only). Plans and evaluations come from the cases
    app's own queues."""

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    body = models.ForeignKey(
        "meetings.MeetingBody",
        verbose_name=_("会議体"),
        on_delete=models.CASCADE,
        related_name="requests",
    )
    kind = models.CharField(_("種別"), max_length=30, choices=AgendaKind.choices)
    title = models.CharField(
        _("件名"), max_length=120, help_text=_("氏名は書かず、ケース番号や地区で表してください。")
    )
    description = models.TextField(_("内容"), blank=True)
    case = models.ForeignKey(
        "cases.SupportCase",
        verbose_name=_("支援ケース"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    household = models.ForeignKey(
        "cases.Household",
        verbose_name=_("世帯"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    persons = models.ManyToManyField(
        "cases.Person", verbose_name=_("対象となる人"), blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        "agencies.User", verbose_name=_("申込者"), on_delete=models.PROTECT, related_name="+"
    )
    requesting_agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("申込機関"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状態"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.WAITING
    )
    requested_at = models.DateTimeField(_("申込日時"), default=timezone.now)

    objects = AgendaRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("議題の申込")
        verbose_name_plural = _("議題の申込")
        ordering = ["requested_at", "pk"]

    def __str__(self) -> str:
        return self.title

    def audit_label(self) -> str:
        return f"agenda-request:{self.public_id}"


class AgendaItemQuerySet(models.QuerySet):
    def covering_person(self, person):
        return self.filter(persons=person)


class AgendaItem(models.Model):
    """One item on a meeting's agenda with its paper (資料), notes and decision."""

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会議"), on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveSmallIntegerField(_("順番"), default=1)
    time_box_minutes = models.PositiveSmallIntegerField(_("持ち時間(分)"), default=15)
    kind = models.CharField(_("議題の種別"), max_length=30, choices=AgendaKind.choices)
    title = models.CharField(_("件名"), max_length=120)
    case = models.ForeignKey(
        "cases.SupportCase",
        verbose_name=_("支援ケース"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agenda_items",
    )
    household = models.ForeignKey(
        "cases.Household",
        verbose_name=_("世帯"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agenda_items",
    )
    # What the item covers: a 支援会議 member sees these persons and nothing else of the household.
    persons = models.ManyToManyField(
        "cases.Person", verbose_name=_("この議題で扱う人"), blank=True, related_name="agenda_items"
    )
    # The plan or evaluation sheet discussed (cases app models, referenced generically so this
    # app does not depend on their module layout).
    subject_type = models.ForeignKey(
        ContentType,
        verbose_name=_("協議対象の種類"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subject_id = models.PositiveBigIntegerField(_("協議対象ID"), null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    request = models.OneToOneField(
        AgendaRequest,
        verbose_name=_("議題の申込"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="item",
    )
    paper = models.TextField(_("会議資料(概要)"), blank=True)
    paper_generated_at = models.DateTimeField(_("資料作成日時"), null=True, blank=True)
    paper_edited_by = models.ForeignKey(
        "agencies.User",
        verbose_name=_("資料の最終編集者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    notes = models.TextField(_("協議内容(議事メモ)"), blank=True)
    next_review_on = models.DateField(_("次回確認日"), null=True, blank=True)
    added_by = models.ForeignKey(
        "agencies.User", verbose_name=_("追加者"), on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(_("追加日時"), default=timezone.now)

    objects = AgendaItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("議題")
        verbose_name_plural = _("議題")
        ordering = ["meeting", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(time_box_minutes__gte=1, time_box_minutes__lte=180),
                name="agenda_item_time_box_range",
            ),
            models.UniqueConstraint(
                fields=["meeting", "subject_type", "subject_id"],
                condition=Q(subject_id__isnull=False),
                name="agenda_item_subject_once_per_meeting",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:item_detail", args=[self.public_id])

    def audit_label(self) -> str:
        return f"agenda-item:{self.public_id}"

    @property
    def ref(self) -> str:
        """The opaque reference passed to the case lifecycle (via_item)."""
        return f"meetings.agendaitem:{self.public_id}"


class Decision(models.Model):
    """The decision on one agenda item, recorded after the meeting was held. Immutable once the
    minutes are approved; case transitions it drives happen in the same transaction."""

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    item = models.OneToOneField(
        AgendaItem, verbose_name=_("議題"), on_delete=models.CASCADE, related_name="decision"
    )
    kind = models.CharField(_("決定"), max_length=30, choices=DecisionKind.choices)
    text = models.TextField(_("決定内容"), blank=True)
    changes = models.TextField(_("修正内容"), blank=True)
    decided_on = models.DateField(_("決定日"))
    transition = models.CharField(_("ケースへの反映"), max_length=80, blank=True)
    recorded_by = models.ForeignKey(
        "agencies.User", verbose_name=_("記録者"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("記録日時"), default=timezone.now)

    class Meta:
        verbose_name = _("決定事項")
        verbose_name_plural = _("決定事項")
        ordering = ["item"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="plan_approved_with_changes") | ~Q(changes=""),
                name="decision_changes_stated",
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    def audit_label(self) -> str:
        return f"decision:{self.public_id}"


# Staff who carry out a role assigned to their agency (not residents, not admins).
CARE_ROLES = frozenset(
    {Role.CASEWORKER, Role.COORDINATOR, Role.CSW, Role.PARTICIPATION_WORKER, Role.SUPERVISOR}
)


class RoleAssignmentQuerySet(models.QuerySet):
    def tasks(self):
        """Assignments followed as tasks: those that did not become a plan item."""
        return self.filter(plan_item__isnull=True)

    def open(self):
        return (
            self.tasks()
            .filter(done_on__isnull=True)
            .exclude(decision__item__meeting__status=MeetingStatus.CANCELLED)
        )

    def owned_by(self, user):
        """Assignments the user answers for: named as the owner while working at the owner
        agency, or staff of the owner agency with a care role (the `roleassignment.complete`
        rule, as a filter)."""
        return self.owned_by_keys(user.pk, *owner_agencies(user))

    def owned_by_keys(self, user_id: int, named, care):
        """`owned_by` from keys: the user's, the agencies where the user works (`named`) and
        those where the user holds a care role (`care`) — `owner_agencies(user)`."""
        return self.filter(
            Q(owner_user_id=user_id, owner_agency_id__in=named) | Q(owner_agency_id__in=care)
        )


def owner_agencies(user) -> tuple[set[int], set[int]]:
    """The agencies where the user works today, and those where with a care role."""
    memberships = user.current_memberships()
    return (
        {m.agency_id for m in memberships},
        {m.agency_id for m in memberships if m.role in CARE_ROLES},
    )


class RoleAssignment(models.Model):
    """役割分担: who does what by when, agreed at the meeting.

    On a decision that approves a plan, or continues / re-plans under one, the assignment becomes
    a row of that plan (`plan_item`) and is followed there (monitoring). Otherwise — information
    sharing, 支援会議 watch items, items without a case — the assignment itself is the task: the
    owner marks it done (`done_on`, `done_by`) and reminders stop.
    """

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    decision = models.ForeignKey(
        Decision, verbose_name=_("決定事項"), on_delete=models.CASCADE, related_name="roles"
    )
    owner_agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("担当機関"), on_delete=models.PROTECT, related_name="+"
    )
    owner_user = models.ForeignKey(
        "agencies.User",
        verbose_name=_("担当者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_roles",
    )
    task = models.CharField(_("役割・タスク"), max_length=200)
    due_on = models.DateField(_("期限"), null=True, blank=True)
    plan_item = models.OneToOneField(
        "cases.PlanItem",
        verbose_name=_("プランの項目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_role",
    )
    done_on = models.DateField(_("完了日"), null=True, blank=True)
    done_by = models.ForeignKey(
        "agencies.User",
        verbose_name=_("完了の記録者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("役割分担")
        verbose_name_plural = _("役割分担")
        ordering = ["decision", "due_on", "pk"]
        indexes = [models.Index(fields=["owner_agency", "done_on"])]

    def __str__(self) -> str:
        return self.task

    def get_absolute_url(self) -> str:
        return reverse("meetings:role_open", args=[self.public_id])

    def audit_label(self) -> str:
        return f"role-assignment:{self.public_id}"

    @property
    def is_task(self) -> bool:
        return self.plan_item_id is None

    @property
    def is_open(self) -> bool:
        return self.is_task and self.done_on is None


class MinutesAddendum(models.Model):
    """A correction or supplement after the minutes were approved (the minutes never change)."""

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会議"), on_delete=models.PROTECT, related_name="addenda"
    )
    item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("対象の議題"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="addenda",
    )
    text = models.TextField(_("補足・訂正の内容"))
    reason = models.CharField(_("理由"), max_length=200)
    author = models.ForeignKey(
        "agencies.User", verbose_name=_("記録者"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("記録日時"), default=timezone.now)

    class Meta:
        verbose_name = _("議事録の補足・訂正")
        verbose_name_plural = _("議事録の補足・訂正")
        ordering = ["meeting", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.meeting} 補足"

    def audit_label(self) -> str:
        return f"addendum:{self.public_id}"


def content_type_for(obj) -> ContentType:
    return ContentType.objects.get_for_model(obj)
