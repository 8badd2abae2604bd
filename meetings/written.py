"""書面開催 (a meeting held in writing): the members answer each item by the meeting's date.

- `written_answer_record()`: a current member answers an item (賛成 / 反対 / 意見あり, with a
  comment) while the agenda is fixed and the meeting not yet closed; a member's later answer
  replaces the earlier one. The secretariat (the convenor's coordinators and supervisors) may
  record a member's answer received on paper, naming the member.
- `missing_answers()`: per item, the current members who have not answered.
- `require_all_answers()`: the guard `meeting_mark_held` and `item_record_decision` call for a
  written meeting — the meeting closes, and decisions are recorded, only after every answer.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.policy import PolicyDenied, deny, require
from audit.services import record

from .choices import MeetingFormat, MeetingStatus, WrittenAnswerKind
from .models import AgendaItem, BodyMember, Meeting, WrittenAnswer
from .policy import is_manager


def missing_answers(meeting: Meeting, items=None) -> list[tuple[AgendaItem, list[BodyMember]]]:
    """[(item, members without an answer)] for items that still miss answers."""
    members = list(meeting.body.members.current())
    items = list(items if items is not None else meeting.items.all())
    answered = set(WrittenAnswer.objects.filter(item__in=items).values_list("item_id", "member_id"))
    out = []
    for item in items:
        missing = [m for m in members if (item.pk, m.pk) not in answered]
        if missing:
            out.append((item, missing))
    return out


def require_all_answers(meeting: Meeting, items=None) -> None:
    if meeting.format != MeetingFormat.WRITTEN:
        return
    if not meeting.body.members.current().exists():
        raise ValidationError(_("書面開催には回答する構成員が必要です。"))
    missing = missing_answers(meeting, items)
    if missing:
        count = sum(len(m) for _i, m in missing)
        raise ValidationError(
            _(
                "書面開催の回答がそろっていません(未回答 %(n)s件)。全構成員の回答を記録してから"
                "締め切り、決定を記録してください。"
            )
            % {"n": count}
        )


@transaction.atomic
def written_answer_record(
    *, item: AgendaItem, actor, answer: str, comment: str = "", member: BodyMember | None = None
) -> WrittenAnswer:
    """Record a member's written answer to an item (see the module docstring for the rules)."""
    meeting = Meeting.objects.select_for_update().select_related("body").get(pk=item.meeting_id)
    if meeting.format != MeetingFormat.WRITTEN:
        raise ValidationError(_("この会議は書面開催ではありません。"))
    if meeting.status != MeetingStatus.AGENDA_FIXED:
        raise ValidationError(
            _("書面の回答は、議題の確定後、回答を締め切る(開催済みにする)前に記録できます。")
        )
    seats = meeting.body.members.current()
    if member is None:
        member = seats.filter(user=actor).first()
        if member is None:
            raise PolicyDenied(
                "agendaitem.answer", deny(str(_("この会議体の構成員ではありません。")))
            )
        decision = require(actor, "agendaitem.answer", item)
    else:
        if not is_manager(actor, meeting.body) and member.user_id != actor.pk:
            raise PolicyDenied(
                "agendaitem.answer",
                deny(str(_("他の構成員の回答を記録できるのは会議の事務局だけです。"))),
            )
        decision = require(actor, "meeting.manage", meeting)
        if not seats.filter(pk=member.pk).exists():
            raise ValidationError({"member": _("この会議体の現在の構成員を選んでください。")})
    if answer not in WrittenAnswerKind.values:
        raise ValidationError({"answer": _("回答(賛成・反対・意見あり)を選んでください。")})
    if answer != WrittenAnswerKind.AGREE and not comment.strip():
        raise ValidationError({"comment": _("反対・意見ありのときは意見を入力してください。")})
    row, _created = WrittenAnswer.objects.update_or_create(
        item=item,
        member=member,
        defaults={
            "answer": answer,
            "comment": comment.strip(),
            "answered_at": timezone.now(),
            "recorded_by": actor,
        },
    )
    record(
        actor=actor,
        action="meeting.written_answer",
        obj=row,
        basis=decision.basis,
        changes=["answer", *(["comment"] if comment else [])],
    )
    return row
