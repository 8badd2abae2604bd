"""The intake workflows as tables (agencies.workflow): the referral (つなぐシート) and the concern
slip (気づきシート). The services check their transitions against these rows, the HTML action view
and the API action endpoints are generated from them, and tests/test_no_dead_ends.py walks
them to prove every non-terminal state has someone who can move it on.
"""

from django.utils.translation import gettext_lazy as _

from agencies.workflow import Step, Workflow
from cases.models import ConcernSlip, Referral, ReferralEvent

S = Referral.Status
E = ReferralEvent.Kind
RECEIVER_WAITING = frozenset({S.SENT, S.OPENED})

_F = "cases.forms_intake."
_A = "cases.api.intake."
_SV = "cases.services.intake."

REFERRAL_WORKFLOW = Workflow(
    name="referral",
    subject="referral",
    states=tuple(S.values),
    terminal=frozenset({S.ACCEPTED, S.RETURNED, S.WITHDRAWN}),
    steps=(
        Step(
            "send",
            frozenset({S.DRAFT}),
            S.SENT,
            "referral.send",
            _SV + "referral_send",
            _("送付する"),
            _("送付しました。"),
            event=E.SENT,
            tone="primary",
        ),
        # Recorded on the receiver's first view; the API offers it as an explicit call.
        Step(
            "open",
            frozenset({S.SENT}),
            S.OPENED,
            "referral.open",
            _SV + "referral_open",
            _("確認済みにする"),
            event=E.OPENED,
            extra={"html": False},
        ),
        Step(
            "accept_own",
            RECEIVER_WAITING,
            S.ACCEPTED,
            "referral.accept_own",
            _SV + "referral_accept_own",
            _("受理して自機関で対応する"),
            _("受理しました。自機関の相談受付として登録し、つなぎ元に知らせました。"),
            form=_F + "AcceptOwnForm",
            serializer=_A + "AcceptOwnSerializer",
            event=E.ACCEPTED,
            tone="primary",
        ),
        Step(
            "accept",
            RECEIVER_WAITING,
            S.ACCEPTED,
            "referral.accept",
            _SV + "referral_accept",
            _("多機関協働の支援ケースとして受理する"),
            _("受理しました。支援ケースを登録しました。"),
            form=_F + "AcceptForm",
            serializer=_A + "ReferralNoteSerializer",
            event=E.ACCEPTED,
            tone="primary",
        ),
        Step(
            "return",
            RECEIVER_WAITING,
            S.RETURNED,
            "referral.return",
            _SV + "referral_return",
            _("返戻する(つなぎ先を提案)"),
            _("返戻しました。"),
            form=_F + "ReturnForm",
            serializer=_A + "ReturnSerializer",
            event=E.RETURNED,
        ),
        Step(
            "request_info",
            RECEIVER_WAITING,
            S.INFO_REQUESTED,
            "referral.request_info",
            _SV + "referral_request_info",
            _("追加情報を依頼する"),
            _("追加情報を依頼しました。"),
            form=_F + "RequestInfoForm",
            serializer=_A + "QuestionSerializer",
            event=E.INFO_REQUESTED,
        ),
        Step(
            "answer_info",
            frozenset({S.INFO_REQUESTED}),
            S.SENT,
            "referral.answer_info",
            _SV + "referral_answer_info",
            _("回答して再送付"),
            _("回答して再送付しました。"),
            form=_F + "AnswerInfoForm",
            serializer=_A + "AnswerSerializer",
            form_takes_subject=True,
            url_path="answer",
            event=E.INFO_ANSWERED,
            tone="primary",
        ),
        Step(
            "assign",
            frozenset({S.SENT, S.OPENED, S.INFO_REQUESTED}),
            "",
            "referral.assign",
            _SV + "referral_assign",
            _("担当者を割り当てる"),
            _("担当者を割り当てました。"),
            form=_F + "AssignForm",
            serializer=_A + "AssignSerializer",
            event=E.ASSIGNED,
            form_takes_subject=True,
        ),
        Step(
            "convert",
            RECEIVER_WAITING,
            S.INFO_REQUESTED,
            "referral.convert",
            _SV + "referral_convert_to_meeting",
            _("支援会議の検討事案として扱う"),
            _("支援会議の検討事案として扱うことをつなぎ元に依頼しました。"),
            form=_F + "ConvertForm",
            serializer=_A + "ReferralNoteSerializer",
            event=E.CONVERTED,
        ),
        Step(
            "withdraw",
            frozenset({S.SENT, S.OPENED, S.INFO_REQUESTED}),
            S.WITHDRAWN,
            "referral.withdraw",
            _SV + "referral_withdraw",
            _("取り下げる"),
            _("取り下げました。"),
            form=_F + "WithdrawForm",
            serializer=_A + "ReasonSerializer",
            event=E.WITHDRAWN,
            tone="danger",
        ),
    ),
)

C = ConcernSlip.Status
# The slip's status is what the resident sees; staff move it with `concern_slip_set_status`
# (the target status is the step's input).
SLIP_WORKFLOW = Workflow(
    name="concern_slip",
    subject="slip",
    states=tuple(C.values),
    terminal=frozenset({C.CLOSED}),
    steps=(
        Step(
            "receive",
            frozenset({C.SUBMITTED}),
            C.RECEIVED,
            "concern_slip.handle",
            _SV + "concern_slip_set_status",
            _("受付済みにする"),
        ),
        Step(
            "handle",
            frozenset({C.SUBMITTED, C.RECEIVED}),
            C.HANDLING,
            "concern_slip.handle",
            _SV + "concern_slip_set_status",
            _("対応中にする"),
        ),
        Step(
            "to_consultation",
            frozenset({C.SUBMITTED, C.RECEIVED, C.HANDLING}),
            C.HANDLING,
            "concern_slip.handle",
            _SV + "concern_slip_to_consultation",
            _("相談受付にする"),
            _("気づきシートを相談受付にしました。"),
        ),
        Step(
            "link",
            frozenset({C.SUBMITTED, C.RECEIVED, C.HANDLING}),
            C.HANDLING,
            "concern_slip.handle",
            _SV + "concern_slip_link",
            _("既存の本人・支援ケースに結びつける"),
            _("気づきシートを既存の記録に結びつけました。"),
        ),
        Step(
            "close",
            frozenset({C.SUBMITTED, C.RECEIVED, C.HANDLING}),
            C.CLOSED,
            "concern_slip.handle",
            _SV + "concern_slip_set_status",
            _("対応終了にする"),
        ),
    ),
)
