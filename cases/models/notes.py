"""支援経過記録: every contact on a case (DOMAIN §5), and its attachments.

Attachments are stored under MEDIA_ROOT (outside the web root, MEDIA_URL is None) and served
only through a policy-checked, audited view. The stored file name is a random UUID; the original
name is kept for the download header only.
"""

import uuid

from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies import jpdates


class ActivityNoteQuerySet(models.QuerySet):
    def counted(self):
        """Notes that are contacts (reports count these as 延べ); 記録 entries are not contacts."""
        return self.exclude(kind=ActivityNote.Kind.RECORD)


class ActivityNote(models.Model):
    class Kind(models.TextChoices):
        INTERVIEW = "interview", _("面談")
        PHONE = "phone", _("電話")
        VISIT = "visit", _("訪問")
        ACCOMPANY = "accompany", _("同行")
        MEETING = "meeting", _("会議")
        MAIL_SNS = "mail_sns", _("メール/SNS")
        LETTER = "letter", _("手紙")
        RECORD = "record", _("記録")

    class Visibility(models.TextChoices):
        TEAM = "team", _("支援チーム")
        AGENCY = "agency", _("記入機関のみ(配慮が必要な内容)")
        # Only the current pledged members of one body (e.g. 要対協) whose basis allows it.
        BODY = "body", _("会議体の構成員限り(要対協など)")

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(
        "cases.SupportCase",
        verbose_name=_("支援ケース"),
        on_delete=models.CASCADE,
        related_name="notes",
    )
    persons = models.ManyToManyField(
        "cases.Person", verbose_name=_("関わった世帯員"), blank=True, related_name="activity_notes"
    )
    kind = models.CharField(_("種別"), max_length=12, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("日時"), default=timezone.now, db_index=True)
    minutes = models.PositiveSmallIntegerField(_("所要時間(分)"), default=0)
    staff_count = models.PositiveSmallIntegerField(_("対応職員数"), default=1)
    with_whom = models.CharField(_("相手"), max_length=200, blank=True)
    content = models.TextField(_("内容"))
    visibility = models.CharField(
        _("公開範囲"), max_length=10, choices=Visibility.choices, default=Visibility.TEAM
    )
    restricted_body = models.ForeignKey(
        "meetings.MeetingBody",
        verbose_name=_("構成員限りとする会議体"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    author = models.ForeignKey(
        "agencies.User", verbose_name=_("記入者"), on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("記入機関"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登録日時"), default=timezone.now)

    objects = ActivityNoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("支援経過記録")
        verbose_name_plural = _("支援経過記録")
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(staff_count__gte=1), name="note_staff_count_positive"
            ),
        ]
        # The case timeline (newest first, 30 at a time): without it PostgreSQL walks the
        # occurred_at index of all notes of the city backwards (0.6 s at 1,000,000 notes).
        indexes = [
            models.Index(
                F("case"), F("occurred_at").desc(), F("id").desc(), name="note_case_timeline"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {jpdates.format_date(self.occurred_at)}"

    def audit_label(self) -> str:
        return f"note:{self.public_id}"


def _attachment_path(instance, filename: str) -> str:
    # Never the uploaded name on disk: it may carry a person's name.
    return f"case_attachments/{timezone.now():%Y/%m}/{instance.public_id}"


class NoteAttachment(models.Model):
    class FileType(models.TextChoices):
        PDF = "pdf", "PDF"
        JPEG = "jpeg", "JPEG"
        PNG = "png", "PNG"
        DOCX = "docx", "Word (DOCX)"
        XLSX = "xlsx", "Excel (XLSX)"

    CONTENT_TYPES = {
        FileType.PDF: "application/pdf",
        FileType.JPEG: "image/jpeg",
        FileType.PNG: "image/png",
        FileType.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        FileType.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }

    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    note = models.ForeignKey(
        ActivityNote,
        verbose_name=_("支援経過記録"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("ファイル"), upload_to=_attachment_path, max_length=200)
    original_name = models.CharField(_("元のファイル名"), max_length=200)
    file_type = models.CharField(_("形式"), max_length=10, choices=FileType.choices)
    size = models.PositiveIntegerField(_("サイズ(バイト)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        "agencies.User", verbose_name=_("登録者"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("登録日時"), default=timezone.now)

    class Meta:
        verbose_name = _("添付ファイル")
        verbose_name_plural = _("添付ファイル")
        ordering = ["note", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

    def audit_label(self) -> str:
        return f"attachment:{self.public_id}"

    @property
    def content_type(self) -> str:
        return self.CONTENT_TYPES.get(self.file_type, "application/octet-stream")
