"""Japanese labels for audit codes: actions ("person.view" → 「対象者の閲覧」) and changed fields.

`action_label` looks the action up in ACTION_LABELS first; otherwise it composes one from the
entity and verb tables («<entity>の<verb>»), so a new action reads sensibly without editing
this module. Unknown parts fall back to the raw code (the viewer always keeps the code too)."""

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

ENTITY_LABELS = {
    "access": _("アクセス"),
    "addendum": _("議事録の補足・訂正"),
    "agency": _("機関"),
    "agendaitem": _("議題"),
    "agendarequest": _("議題の申込"),
    "agreement": _("協定"),
    "anonymisation": _("匿名化"),
    "api_token": _("APIトークン"),
    "area": _("圏域"),
    "assessment": _("アセスメントシート"),
    "attachment": _("添付ファイル"),
    "audit": _("監査ログ"),
    "auth": _("認証"),
    "bodymember": _("会議体の構成員"),
    "calendar_feed": _("カレンダー購読URL"),
    "case": _("支援ケース"),
    "community_issue": _("地域課題"),
    "communityissue": _("地域課題"),
    "concern_slip": _("気づきシート"),
    "consent": _("本人同意"),
    "consultation": _("相談受付"),
    "decision": _("決定事項"),
    "emergency": _("緊急時の閲覧"),
    "evaluation": _("評価シート"),
    "grant": _("閲覧権限"),
    "household": _("世帯"),
    "meeting": _("会議"),
    "meetingbody": _("会議体"),
    "membership": _("所属"),
    "monitoring": _("モニタリング"),
    "narrative": _("報告の記述"),
    "note": _("支援経過記録"),
    "notification": _("通知"),
    "notification_preference": _("通知の設定"),
    "outreach": _("アウトリーチ"),
    "outreach_contact": _("アウトリーチの接触記録"),
    "outreach_plan": _("アウトリーチの方針"),
    "outreach_target": _("アウトリーチ対象者"),
    "outreach_visit": _("家庭訪問・同行支援"),
    "participation": _("参加支援"),
    "participation_assessment": _("参加支援のアセスメント"),
    "person": _("対象者"),
    "place": _("居場所"),
    "place_concern": _("居場所からの気づき"),
    "placement": _("参加支援のマッチング"),
    "plan": _("プランシート"),
    "planitem": _("プランの項目"),
    "pledge": _("守秘義務の誓約"),
    "profile": _("自治体の基礎データ"),
    "program": _("プログラム"),
    "program_session": _("プログラムの開催"),
    "referral": _("つなぐシート"),
    "report": _("実績報告"),
    "report_job": _("報告ファイル"),
    "resource": _("社会資源"),
    "resource_gap": _("資源の不足"),
    "resource_profile": _("社会資源の受入れ情報"),
    "retention_rule": _("保存期間の規則"),
    "roleassignment": _("役割分担"),
    "rule_setting": _("通知ルールの設定"),
    "session": _("居場所の開催記録"),
    "staff": _("職員"),
    "target": _("目標値"),
    "team": _("支援チーム"),
    "user": _("利用者"),
    "volunteer": _("ボランティア"),
}

VERB_LABELS = {
    "view": _("閲覧"),
    "create": _("作成"),
    "update": _("更新"),
    "delete": _("削除"),
    "list": _("一覧表示"),
    "search": _("検索"),
    "export": _("出力"),
    "print": _("印刷"),
    "import": _("一括取込"),
    "activate": _("有効化"),
    "deactivate": _("無効化"),
    "approve": _("承認"),
    "submit": _("提出"),
    "assign": _("担当割当"),
    "inbox": _("受信一覧の表示"),
    "withdraw": _("撤回"),
    "transition": _("状態の変更"),
    "handover": _("引継ぎ"),
    "transfer": _("異動"),
    "end": _("終了"),
    "merge": _("統合"),
    "merged_into": _("統合先への移動"),
    "complete": _("完了"),
    "ready": _("確定"),
    "decide": _("決定"),
    "hold": _("開催記録"),
    "cancel": _("中止"),
    "unlock": _("ロック解除"),
    "rotate": _("再発行"),
    "document_view": _("同意書の閲覧"),
    "add_member": _("世帯員の追加"),
    "member_leave": _("世帯員の離脱"),
    "link_referral": _("つなぐシートとの関連付け"),
    "fix_agenda": _("議題の確定"),
    "reopen_agenda": _("議題の確定解除"),
    "approve_minutes": _("議事録の承認"),
    "give": _("付与"),
    "open": _("開始"),
    "review": _("事後確認"),
    "match": _("マッチング"),
    "link": _("関連付け"),
    "activity": _("活動日の記録"),
    "follow_up": _("フォローアップの記録"),
    "drilldown": _("内訳の閲覧"),
    "download": _("ダウンロード"),
    "disclosures": _("提供記録の閲覧"),
    "disclosures_print": _("提供記録の印刷"),
    "written_answer": _("書面開催の回答"),
    "backup_code_used": _("バックアップコードの使用"),
    "accept": _("受理"),
    "accept_own": _("受理(自機関で対応)"),
    "answer_info": _("追加情報の回答"),
    "convert": _("支援会議の検討事案への切替"),
    "request_info": _("追加情報の依頼"),
    "return": _("返戻"),
    "send": _("送付"),
    "refused": _("拒否"),
}

# Whole actions whose composed form would read badly.
ACTION_LABELS = {
    "auth.login": _("ログイン"),
    "auth.logout": _("ログアウト"),
    "auth.login_failed": _("ログイン失敗"),
    "auth.lockout": _("ログインのロック"),
    "auth.password_change": _("パスワードの変更"),
    "auth.password_reset": _("パスワードの再設定"),
    "auth.password_reset_mail": _("パスワード再設定メールの送信"),
    "auth.otp_setup": _("二要素認証の設定"),
    "auth.otp_verify": _("二要素認証の確認"),
    "auth.otp_failed": _("二要素認証の失敗"),
    "auth.backup_codes_create": _("バックアップコードの発行"),
    "staff.otp_reset": _("職員の二要素認証のリセット"),
    "staff.password_setup": _("職員のパスワード設定案内"),
    "consent.document_view": _("同意書の閲覧"),
    "household.add_member": _("世帯員の追加"),
    "household.member_leave": _("世帯員の離脱"),
    "meeting.hold": _("会議の開催記録"),
    "meeting.fix_agenda": _("議題の確定"),
    "meeting.reopen_agenda": _("議題の確定解除"),
    "meeting.approve_minutes": _("議事録の承認"),
    "person.merged_into": _("対象者の統合（統合先）"),
    "referral.inbox": _("つなぐシート受信一覧の表示"),
    "access.refused": _("閲覧の拒否"),
    "emergency.open": _("緊急時の閲覧の開始"),
    "emergency.view": _("緊急時の閲覧"),
}


def action_label(action: str) -> str:
    """「対象者の閲覧」 for "person.view"; the raw code when nothing is known about it."""
    if not action:
        return ""
    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action])
    entity, _sep, verb = action.rpartition(".")
    entity_label = ENTITY_LABELS.get(entity)
    verb_label = VERB_LABELS.get(verb)
    if entity_label and verb_label:
        return gettext("%(entity)sの%(verb)s") % {"entity": entity_label, "verb": verb_label}
    if entity_label:
        return f"{entity_label}: {verb}"
    return action


def field_label(object_type: str, name: str) -> str:
    """The model field's verbose_name for a changed field; the raw name when unknown."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return name
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    label = getattr(field, "verbose_name", None)
    return str(label) if label else name


def field_labels(object_type: str, names) -> list[tuple[str, str]]:
    """(code, label) for each changed field."""
    return [(name, field_label(object_type, name)) for name in names or ()]
