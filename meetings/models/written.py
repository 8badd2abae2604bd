"""書面開催: the members' written answers to each agenda item of a paper (or online-written)
meeting. The meeting is closed (marked held) only when every current member answered every item,
and decisions are recorded only then (meetings.written)."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import WrittenAnswerKind


class WrittenAnswer(models.Model):
    public_id = models.UUIDField(_("公開ID"), default=uuid.uuid4, unique=True, editable=False)
    item = models.ForeignKey(
        "meetings.AgendaItem",
        verbose_name=_("議題"),
        on_delete=models.CASCADE,
        related_name="written_answers",
    )
    member = models.ForeignKey(
        "meetings.BodyMember",
        verbose_name=_("構成員"),
        on_delete=models.PROTECT,
        related_name="written_answers",
    )
    answer = models.CharField(_("回答"), max_length=20, choices=WrittenAnswerKind.choices)
    comment = models.TextField(_("意見"), blank=True)
    answered_at = models.DateTimeField(_("回答日時"), default=timezone.now)
    recorded_by = models.ForeignKey(
        "agencies.User", verbose_name=_("記録者"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("書面開催の回答")
        verbose_name_plural = _("書面開催の回答")
        ordering = ["item", "member"]
        constraints = [
            models.UniqueConstraint(fields=["item", "member"], name="one_answer_per_member_item")
        ]

    def __str__(self) -> str:
        return self.get_answer_display()

    def audit_label(self) -> str:
        return f"written_answer:{self.public_id}"
