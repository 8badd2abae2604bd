"""Reference lists for community work and the shared resource catalogue (DOMAIN §6, seeds 003
B5 and 004 §5). Codes are the canonical names in code, data and the API."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ResourceKind(models.TextChoices):
    SALON = "salon", _("常設サロン")
    SHOKUDO = "shokudo", _("地域食堂・子ども食堂")
    ENGAWA = "engawa", _("縁側(多世代交流拠点)")
    CAFE = "cafe", _("カフェ(コミュニティ・認知症カフェ)")
    KAYOI = "kayoi", _("通いの場")
    KOSODATE_HIROBA = "kosodate_hiroba", _("子育てひろば")
    AKIYA = "akiya", _("空き家活用")
    HOUJIN_SHISETSU = "houjin_shisetsu", _("法人施設")
    WORK_EXPERIENCE = "work_experience", _("就労体験")
    INTERMEDIATE_WORK = "intermediate_work", _("中間的就労")
    AGRI_WELFARE = "agri_welfare", _("農福連携")
    VOLUNTEERING = "volunteering", _("ボランティア活動")
    CORPORATE_ROLE = "corporate_role", _("企業・法人の役割(地域公益活動)")
    STUDY_SUPPORT = "study_support", _("学習支援")
    B_TYPE = "b_type", _("就労継続支援B型の空き")
    TEMP_HOUSING = "temp_housing", _("一時的な住まい")
    OTHER = "other", _("その他")


# Kinds that are a 拠点・居場所 by nature (the default of Resource.is_place on creation forms).
PLACE_KINDS = frozenset(
    {
        ResourceKind.SALON,
        ResourceKind.SHOKUDO,
        ResourceKind.ENGAWA,
        ResourceKind.CAFE,
        ResourceKind.KAYOI,
        ResourceKind.KOSODATE_HIROBA,
        ResourceKind.AKIYA,
        ResourceKind.HOUJIN_SHISETSU,
    }
)


class OperatorKind(models.TextChoices):
    RESIDENTS = "residents", _("住民(自治会・有志)")
    SHAKYO = "shakyo", _("社会福祉協議会")
    SHAFUKU = "shafuku", _("社会福祉法人")
    NPO = "npo", _("NPO")
    COMPANY = "company", _("企業")
    MUNICIPAL = "municipal", _("行政")
    OTHER = "other", _("その他")


class Schedule(models.TextChoices):
    PERMANENT = "permanent", _("常設")
    WEEKLY_SEVERAL = "weekly_several", _("週2回以上")
    WEEKLY = "weekly", _("週1回")
    MONTHLY_2 = "monthly_2", _("月2回")
    MONTHLY = "monthly", _("月1回")
    ODD_MONTHS = "odd_months", _("奇数月")
    EVEN_MONTHS = "even_months", _("偶数月")
    IRREGULAR = "irregular", _("不定期")
    BY_ARRANGEMENT = "by_arrangement", _("随時(調整)")


# Expected sessions per 4 weeks by schedule; the reminder rule reads this to decide when a
# place has been quiet for too long (None: no regular rhythm, never reminded).
SCHEDULE_EXPECTED_GAP_WEEKS = {
    Schedule.PERMANENT: 1,
    Schedule.WEEKLY_SEVERAL: 1,
    Schedule.WEEKLY: 1,
    Schedule.MONTHLY_2: 2,
    Schedule.MONTHLY: 4,
    Schedule.ODD_MONTHS: 8,
    Schedule.EVEN_MONTHS: 8,
    Schedule.IRREGULAR: None,
    Schedule.BY_ARRANGEMENT: None,
}


class TargetGroup(models.TextChoices):
    ALL = "all", _("誰でも")
    ELDERLY = "elderly", _("高齢者")
    DISABILITY = "disability", _("障がいのある人")
    CHILDREN = "children", _("子ども")
    PARENTS = "parents", _("子育て世帯")
    YOUTH = "youth", _("若者")
    WORKING_AGE = "working_age", _("働く世代")
    WITHDRAWN = "withdrawn", _("ひきこもり状態の人")
    DEMENTIA = "dementia", _("認知症の人と家族")
    FOREIGN = "foreign", _("外国籍の人")


class Function(models.TextChoices):
    EXCHANGE = "exchange", _("交流")
    CONSULTATION = "consultation", _("相談")
    LEARNING = "learning", _("学び")
    PREVENTION = "prevention", _("介護予防")
    FOOD = "food", _("食")
    WATCHING = "watching", _("見守り")
    CHILDCARE = "childcare", _("子育て支援")
    STUDY = "study", _("学習支援")
    WORK = "work", _("就労・役割")
    ROLE = "role", _("活躍の場(担い手)")


class HostExperience(models.TextChoices):
    WITHDRAWAL = "withdrawal", _("ひきこもり")
    MENTAL_HEALTH = "mental_health", _("精神保健")
    INTELLECTUAL = "intellectual", _("知的障がい")
    PHYSICAL = "physical", _("身体障がい")
    DEVELOPMENTAL = "developmental", _("発達障がい")
    DEMENTIA = "dementia", _("認知症")
    YOUTH = "youth", _("若者・不登校")
    POVERTY = "poverty", _("生活困窮")
    FOREIGN = "foreign", _("外国籍")


class ShafukuInvolvement(models.TextChoices):
    NONE = "", _("なし")
    OPERATES = "operates", _("運営")
    VENUE = "venue", _("場所の提供")
    STAFF = "staff", _("職員の派遣")
    FUNDS = "funds", _("資金の支援")
    SUPPORT = "support", _("運営の支援・助言")


class FundingSource(models.TextChoices):
    KYODO_BOKIN = "kyodo_bokin", _("共同募金")
    FURUSATO = "furusato", _("ふるさと納税")
    FUND = "fund", _("基金")
    SALES = "sales", _("売上")
    SUBSIDY = "subsidy", _("市の補助金")
    SHAKYO_GRANT = "shakyo_grant", _("社協の助成")
    FEES = "fees", _("参加費・会費")
    DONATION = "donation", _("寄付・物品提供")
    HOUJIN = "houjin", _("法人の地域公益活動")
    OTHER = "other", _("その他")


class ResourceStatus(models.TextChoices):
    PREPARING = "preparing", _("準備中")
    ACTIVE = "active", _("活動中")
    PAUSED = "paused", _("休止中")
    CLOSED = "closed", _("終了")
