"""Choices of the meetings app (DOMAIN §4). Codes are canonical in code and data."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BodyKind(models.TextChoices):
    SHIEN_KAIGI = "shien_kaigi", _("支援会議")
    JUSO_KAIGI = "juso_kaigi", _("重層的支援会議")


class DesignatedFrom(models.TextChoices):
    """An existing per-field meeting designated as a 支援会議 or 重層的支援会議 (or a new one)."""

    NEW = "new", _("新設(単独開催)")
    SHIEN_CHOSEI = "shien_chosei", _("支援調整会議")
    CHIIKI_CARE = "chiiki_care", _("地域ケア会議")
    JIRITSU_KYOGIKAI = "jiritsu_kyogikai", _("地域自立支援協議会")
    YOHOGO = "yohogo", _("要保護児童対策地域協議会")
    KODOMO_NETWORK = "kodomo_network", _("子ども家庭支援ネットワーク会議")
    OTHER = "other", _("その他の会議体")


# The statutory basis printed on papers. A designated meeting keeps its own basis as well.
KIND_BASIS = {
    BodyKind.SHIEN_KAIGI: _("社会福祉法第106条の6(支援会議)"),
    BodyKind.JUSO_KAIGI: _("社会福祉法第106条の4第2項第5号(多機関協働事業)"),
}
DESIGNATED_BASIS = {
    DesignatedFrom.SHIEN_CHOSEI: _("生活困窮者自立支援法(支援調整会議)"),
    DesignatedFrom.CHIIKI_CARE: _("介護保険法第115条の48(地域ケア会議)"),
    DesignatedFrom.JIRITSU_KYOGIKAI: _("障害者総合支援法第89条の3(協議会)"),
    DesignatedFrom.YOHOGO: _("児童福祉法第25条の2(要保護児童対策地域協議会)"),
}


class Recurrence(models.TextChoices):
    NONE = "none", _("定例なし")
    MONTHLY_WEEKDAY = "monthly_weekday", _("毎月 第N曜日")
    MONTHLY_DAY = "monthly_day", _("毎月 N日")
    WEEKLY = "weekly", _("毎週・隔週")


class Weekday(models.IntegerChoices):
    MON = 0, _("月曜日")
    TUE = 1, _("火曜日")
    WED = 2, _("水曜日")
    THU = 3, _("木曜日")
    FRI = 4, _("金曜日")


class WeekOfMonth(models.IntegerChoices):
    FIRST = 1, _("第1")
    SECOND = 2, _("第2")
    THIRD = 3, _("第3")
    FOURTH = 4, _("第4")
    LAST = -1, _("最終")


class MemberRole(models.TextChoices):
    CHAIR = "chair", _("座長")
    MEMBER = "member", _("構成員")
    SECRETARIAT = "secretariat", _("事務局")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("予定")
    AGENDA_FIXED = "agenda_fixed", _("議題確定")
    HELD = "held", _("開催済")
    MINUTES_APPROVED = "minutes_approved", _("議事録承認済")
    CANCELLED = "cancelled", _("中止")


class MeetingFormat(models.TextChoices):
    IN_PERSON = "in_person", _("対面")
    ONLINE = "online", _("オンライン")
    # 書面開催: the members answer each item in writing by the meeting's date; it is "held" when
    # every member has answered, and only then are decisions recorded.
    WRITTEN = "written", _("書面開催")


class WrittenAnswerKind(models.TextChoices):
    AGREE = "agree", _("賛成")
    DISAGREE = "disagree", _("反対")
    COMMENT = "comment", _("意見あり")


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("出席")
    ABSENT = "absent", _("欠席")
    PROXY = "proxy", _("代理出席")


class AgendaKind(models.TextChoices):
    PLAN_APPROVAL = "plan_approval", _("プランの協議")
    EVALUATION = "evaluation", _("評価・終結の協議")
    INFO_SHARING = "info_sharing", _("情報共有")
    RESOURCE_GAP = "resource_gap", _("社会資源の不足")
    WORRYING_NO_CONSENT = "worrying_no_consent", _("同意のない気になる事例")


# Which decisions fit which agenda kind (the decision form offers only these).
class DecisionKind(models.TextChoices):
    PLAN_APPROVED = "plan_approved", _("プラン承認")
    PLAN_APPROVED_WITH_CHANGES = "plan_approved_with_changes", _("修正のうえ承認")
    REASSESS = "reassess", _("再アセスメント")
    CLOSURE_APPROVED = "closure_approved", _("終結承認")
    CONTINUE = "continue", _("支援継続")
    REPLAN = "replan", _("再プラン")
    HAND_BACK = "hand_back", _("つなぎもどし")
    SHARED = "shared", _("情報共有(確認)")
    WATCH = "watch", _("見守り・支援方針の確認")
    RESOURCE_GAP = "resource_gap", _("社会資源の不足(地域課題として記録)")


DECISIONS_BY_AGENDA_KIND = {
    AgendaKind.PLAN_APPROVAL: [
        DecisionKind.PLAN_APPROVED,
        DecisionKind.PLAN_APPROVED_WITH_CHANGES,
        DecisionKind.REASSESS,
    ],
    AgendaKind.EVALUATION: [
        DecisionKind.CLOSURE_APPROVED,
        DecisionKind.CONTINUE,
        DecisionKind.REPLAN,
        DecisionKind.HAND_BACK,
        DecisionKind.REASSESS,
    ],
    AgendaKind.INFO_SHARING: [DecisionKind.SHARED, DecisionKind.RESOURCE_GAP],
    AgendaKind.RESOURCE_GAP: [DecisionKind.RESOURCE_GAP, DecisionKind.SHARED],
    AgendaKind.WORRYING_NO_CONSENT: [DecisionKind.WATCH, DecisionKind.SHARED],
}


class RequestStatus(models.TextChoices):
    WAITING = "waiting", _("付議待ち")
    PLACED = "placed", _("議題に追加済")
    WITHDRAWN = "withdrawn", _("取り下げ")
