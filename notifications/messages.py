"""Every notification text, by code: one registry of translatable templates.

A notification stores a message code and its parameters, not rendered text, so each reader sees
it in their own language (the inbox and the API in the request's language, e-mail in the
recipient's): `render(code, params)` looks the template up here and fills it in the active
language. The rendered Japanese is still stored in `Notification.title` / `body` as a snapshot:
it is what rows from before the codes show, and the fallback if a code is ever retired.

Parameters are the same case / referral numbers, dates, counts and agency or meeting names the
titles always carried — never a resident's name. Values are plain JSON; lists, choices
(`choice()`) and ISO dates are rendered at read time too (agencies.coded_text).
"""

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext_lazy as _

from agencies.coded_text import choice, fill, in_primary_language

__all__ = ["MESSAGES", "choice", "notification_text", "render", "render_lines", "stored_text"]

# Shared lines first, then by area (rule code . variant).
MESSAGES = {
    # --- escalation lines, appended to a body ---
    "escalated.supervisors_told": _("期限を過ぎたため、係長にもお知らせしています。"),
    "escalated.supervisors": _("期限を過ぎているため、係長にもお知らせしています。"),
    "escalated.upper": _("期限を過ぎているため、上位の担当者にもお知らせしています。"),
    # --- つなぐシート (deadline rules) ---
    "referral_unopened.title": _("つなぐシート %(n)s が%(days)s営業日以上確認されていません"),
    "referral_unanswered.title": _(
        "つなぐシート %(n)s に送付から%(days)s営業日以上回答していません"
    ),
    "referral_due.body": _("受理機関: %(agency)s / 回答期限: %(due)s"),
    # --- つなぐシート (events) ---
    "referral_status.sent": _("つなぐシート %(n)s が届きました"),
    "referral_status.resent": _("つなぐシート %(n)s に追加情報が回答され、再送付されました"),
    "referral_status.opened": _("つなぐシート %(n)s を%(to)sが確認しました"),
    "referral_status.accepted": _("つなぐシート %(n)s が%(to)sで受理されました"),
    "referral_status.returned": _("つなぐシート %(n)s が%(to)sから差し戻されました"),
    "referral_status.info_requested": _(
        "つなぐシート %(n)s について%(to)sから追加情報の依頼があります"
    ),
    "referral_status.withdrawn": _("つなぐシート %(n)s が取り下げられました"),
    "referral_status.assigned": _("つなぐシート %(n)s の担当者になりました"),
    "referral_status.accepted_as_case": _("支援ケース %(case)s として受理されました。"),
    "referral_status.outcome": _("回答の結果: %(outcome)s"),
    # --- 気づきシート ---
    "concern_slip_status.submitted": _("気づきシート(%(date)s 提出)が届きました"),
    "concern_slip_status.changed": _(
        "提出した気づきシート(%(date)s)の状態が「%(status)s」になりました"
    ),
    # --- support cases ---
    "assessment_overdue.title": _(
        "ケース %(n)s のアセスメントが受付から%(days)s日を過ぎても未作成です"
    ),
    "plan_overdue.title": _(
        "ケース %(n)s のプランがアセスメントから%(days)s日を過ぎても提出されていません"
    ),
    "monitoring_due.approaching": _(
        "ケース %(n)s のモニタリング予定日(%(date)s)が近づいています(項目%(i)s)"
    ),
    "monitoring_due.overdue": _(
        "ケース %(n)s のモニタリング予定日(%(date)s)を過ぎています(項目%(i)s)"
    ),
    "evaluation_due.approaching": _(
        "ケース %(n)s のプラン期間が %(date)s に終了します。評価シートを準備してください"
    ),
    "evaluation_due.overdue": _(
        "ケース %(n)s のプラン期間(%(date)s 終了)が過ぎましたが、評価が未提出です"
    ),
    "case_inactive.title": _("ケース %(n)s は %(date)s 以降、支援経過の記録がありません"),
    "post_closure_check.title": _(
        "ケース %(n)s の終結後の確認日(%(date)s)です。主担当機関での状況を確認してください"
    ),
    "post_closure_check.body": _(
        "確認したら支援経過記録に残してください(記録すると通知は解消します)。"
    ),
    "consent_expiry.expired": _(
        "ケース %(n)s の本人同意の有効期限(%(date)s)が切れています。更新してください"
    ),
    "consent_expiry.approaching": _("ケース %(n)s の本人同意の有効期限(%(date)s)が近づいています"),
    "consent_expiry.expired_body": _(
        "同意の範囲外の機関は、更新されるまでこの世帯の詳細を閲覧できなくなります。"
    ),
    "caseload_handover.title": _("異動に伴い%(n)s件の業務を引き継ぎました(%(agency)s・%(date)s)"),
    # --- meetings ---
    "pledge_missing.title": _("%(meeting)s の構成員に今年度の守秘義務の誓約が未登録です"),
    "pledge_missing.body": _(
        "所属: %(org)s %(title)s。誓約がないと支援会議の資料は閲覧できません。"
    ),
    "agenda_submission.title": _(
        "%(meeting)s の議題提出期限(%(date)s)が近づいています(提出待ち %(count)s件)"
    ),
    "agenda_submission.body": _("提出待ちのケース: %(numbers)s"),
    "agenda_distribution.title": _(
        "%(meeting)s の議題・資料が確定しました(%(count)s件)。開催前にご確認ください"
    ),
    "role_assignment_due.approaching": _(
        "%(subject)s: 会議で分担した役割の期限(%(date)s)が近づいています"
    ),
    "role_assignment_due.overdue": _(
        "%(subject)s: 会議で分担した役割の期限(%(date)s)を過ぎています"
    ),
    "role_assignment_due.body": _(
        "%(meeting)s の決定による役割分担です。済んだら「完了」を記録してください。"
    ),
    "role_assignment_new.title": _("会議で役割が割り当てられました(%(subject)s・期限 %(due)s)"),
    "case_handed_back.title": _(
        "ケース %(n)s が会議の決定で%(agency)sにつなぎもどされました(%(date)s)"
    ),
    "case_handed_back.body": _(
        "%(meeting)s の決定です。主担当機関として支援を引き継いでください。"
    ),
    # --- outreach ---
    "outreach_stagnant.title": _("アウトリーチ対象者 %(n)s に%(days)s日以上接触していません"),
    "outreach_stagnant.body": _("手紙・訪問など次の関わりを計画してください。"),
    "outreach_stagnant.escalated": _("停滞が続いているため、係長にもお知らせしています。"),
    "outreach_lead_assigned.title": _("アウトリーチ対象者 %(n)s の主担当になりました"),
    "outreach_retry_due.title": _("アウトリーチ対象者 %(n)s の再接触予定日(%(d)s)が近づいています"),
    # --- community and participation ---
    "place_no_session.title": _("「%(name)s」の開催記録が%(days)s日以上ありません"),
    "place_no_session.body": _("最後の開催記録: %(d)s"),
    "place_no_session.escalated": _("記録のない状態が続いているため、係長にもお知らせしています。"),
    "issue_action_assigned.title": _(
        "地域課題「%(issue)s」の取組「%(action)s」の担当者になりました"
    ),
    "placement_follow_up_gap.title": _(
        "ケース %(n)s の参加先「%(r)s」に%(days)s日以上フォローアップがありません"
    ),
    "placement_follow_up_gap.body": _("本人と受け入れ先の様子を確認し、記録してください。"),
    # --- administration ---
    "retention.due.title": _("保存期間を過ぎた記録が%(n)s件あります(匿名化の承認待ち)"),
    "retention.due.body": _("保存期間と匿名化の画面で内容を確認し、承認してください。"),
    "access.emergency.title": _("緊急時のアクセスが使われました(確認が必要です)"),
    "access.emergency.body": _(
        "%(agency)sの%(user)sが緊急時の根拠で記録を開きました。理由を確認してください。"
    ),
}


def render(code: str, params: Mapping | None = None) -> str | None:
    """The message in the active language, or None when the code is unknown or the parameters do
    not fit (the caller shows the stored text instead)."""
    return fill(MESSAGES, code, params)


def render_lines(codes: Iterable[str], params: Mapping | None = None) -> str | None:
    """Several messages, one per line; None if any of them cannot be rendered."""
    lines = [render(code, params) for code in codes]
    if not lines or any(line is None for line in lines):
        return None
    return "\n".join(lines)


def stored_text(codes: Iterable[str], params: Mapping | None = None) -> str:
    """The Japanese text stored alongside the codes (the fallback), whatever the request's
    language: a notification created while an English-speaking user acts is still stored in the
    primary language."""
    return in_primary_language(lambda: render_lines(codes, params) or "")


def notification_text(
    code: str, params: Mapping | None = None, body: Iterable[str] = (), body_text: str = ""
) -> dict:
    """The Notification fields for a title code, body codes (one line each) or a body typed by a
    user (`body_text`, stored and shown as written), and their parameters."""
    params = dict(params or {})
    body = list(body)
    if code not in MESSAGES or any(c not in MESSAGES for c in body):
        raise ValueError(f"unknown notification message: {[code, *body]}")
    return {
        "message_code": code,
        "params": params,
        "body_codes": body,
        "title": stored_text([code], params)[:200],
        "body": stored_text(body, params) if body else body_text,
    }
