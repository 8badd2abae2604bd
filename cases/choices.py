"""Reference lists for the cases app (DOMAIN §6). Admins extend them later through reference
tables; the codes here are the seed."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IssueCategory(models.TextChoices):
    KAIGO = "kaigo", _("介護")
    SHOGAI = "shogai", _("障がい")
    KOSODATE = "kosodate", _("子育て")
    KONKYU = "konkyu", _("生活困窮")
    SHURO = "shuro", _("就労")
    KAKEI = "kakei", _("家計・債務")
    SUMAI = "sumai", _("住まい")
    KENKO = "kenko", _("健康・医療")
    SEISHIN = "seishin", _("精神保健")
    NINCHISHO = "ninchisho", _("認知症")
    HIKIKOMORI = "hikikomori", _("ひきこもり")
    P8050 = "8050", _("8050")
    DOUBLE_CARE = "double_care", _("ダブルケア")
    YOUNG_CARER = "young_carer", _("ヤングケアラー")
    FUTOKO = "futoko", _("不登校")
    GYAKUTAI_JIDO = "gyakutai_jido", _("虐待(児童)")
    GYAKUTAI_KOREI = "gyakutai_korei", _("虐待(高齢者)")
    GYAKUTAI_SHOGAI = "gyakutai_shogai", _("虐待(障がい者)")
    DV = "dv", _("DV")
    SELF_NEGLECT = "self_neglect", _("ごみ屋敷・セルフネグレクト")
    TATOU = "tatou", _("多頭飼育")
    KORITSU = "koritsu", _("社会的孤立")
    KYOHI = "kyohi", _("支援拒否")
    KENRI = "kenri", _("権利擁護・成年後見")
    KOSEI = "kosei", _("更生保護")
    GAIKOKU = "gaikoku", _("外国籍・言語")
    JISATSU = "jisatsu", _("自殺念慮")
    HISAI = "hisai", _("被災")
    IDOU = "idou", _("移動・買い物困難")
    OYANAKI = "oyanaki", _("親なきあと")
    OTHER = "other", _("その他")


class Route(models.TextChoices):
    VISIT_OFFICE = "raisho", _("来所")
    PHONE = "phone", _("電話")
    HOME_VISIT = "houmon", _("訪問")
    MAIL_SNS = "mail", _("メール/SNS")
    AGENCY = "agency", _("関係機関から")
    CITY_HALL = "chonai", _("庁内(税・水道・国保…)")
    MINSEI = "minsei", _("民生委員")
    RESIDENT = "resident", _("地域住民")
    IBASHO = "ibasho", _("居場所・サロンで")
    MIMAMORI = "mimamori", _("見守り協定事業者")
    FAMILY = "family", _("家族")
    SELF = "self", _("本人")


class InfoKind(models.TextChoices):
    """Kinds of information a consent can cover (scope)."""

    BASIC = "basic", _("基本情報")
    HOUSEHOLD = "household", _("世帯")
    HEALTH = "health", _("健康・障がい")
    ECONOMY = "economy", _("経済")
    HISTORY = "history", _("支援経過")
    OTHER = "other", _("その他")


class ClosureReason(models.TextChoices):
    ROLES_AGREED = "roles_agreed", _("課題の整理・役割分担の合意")
    CONNECTED = "connected", _("他制度・他機関につながった")
    STABLE = "stable", _("生活の安定")
    INCOME = "income", _("就労・収入確保")
    RELATION = "relation", _("関係修復")
    RELIEF = "relief", _("困り感の軽減")
    MOVED = "moved", _("転出")
    DIED = "died", _("死亡")
    REFUSED = "refused", _("本人の拒否・連絡途絶")
    OTHER = "other", _("その他")
