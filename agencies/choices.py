"""Reference lists from DOMAIN §1, §2 and §6. Codes are the canonical names in code and data."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Programme(models.TextChoices):
    CONSULTATION = "consultation", _("包括的相談支援事業")
    PARTICIPATION = "participation", _("参加支援事業")
    COMMUNITY = "community", _("地域づくり事業")
    OUTREACH = "outreach", _("アウトリーチ等を通じた継続的支援事業")
    MULTIAGENCY = "multiagency", _("多機関協働事業")
    # The existing consultation programmes that 包括的相談支援 brings together.
    ELDERLY = "elderly", _("地域包括支援センターの運営(介護)")
    DISABILITY = "disability", _("障害者相談支援事業")
    CHILDCARE = "childcare", _("利用者支援事業(子ども・子育て)")
    LIVELIHOOD = "livelihood", _("自立相談支援事業(生活困窮)")


class AgencyKind(models.TextChoices):
    HOUKATSU = "houkatsu", _("地域包括支援センター")
    KIKAN_SOUDAN = "kikan_soudan", _("基幹相談支援センター")
    SHOGAI_SOUDAN = "shogai_soudan", _("障がい者相談支援事業所")
    KODOMO_KATEI = "kodomo_katei", _("子ども家庭支援センター")
    KOSODATE = "kosodate", _("子育て世代包括支援センター")
    KONKYU = "konkyu", _("生活困窮者自立相談支援機関")
    FUKUSHI_JIMUSHO = "fukushi_jimusho", _("福祉事務所")
    SHAKYO = "shakyo", _("社会福祉協議会")
    CITY_SECTION = "city_section", _("市役所(課)")
    HOKENJO = "hokenjo", _("保健所・保健センター")
    MEDICAL = "medical", _("医療機関")
    SCHOOL = "school", _("学校・教育委員会")
    HELLOWORK = "hellowork", _("ハローワーク")
    SAPOSTE = "saposte", _("地域若者サポートステーション")
    KYOTAKU = "kyotaku", _("居宅介護支援事業所")
    SHOGAI_SERVICE = "shogai_service", _("障がい福祉サービス事業所")
    SHAFUKU = "shafuku", _("社会福祉法人")
    NPO = "npo", _("NPO")
    COMPANY = "company", _("企業")
    NEIGHBOURHOOD = "neighbourhood", _("自治会・町会")
    OTHER = "other", _("その他")


class OperatorType(models.TextChoices):
    MUNICIPAL = "municipal", _("市直営(課・係)")
    CONTRACTED = "contracted", _("委託・補助先")
    OTHER = "other", _("関係機関(委託外)")


class Role(models.TextChoices):
    CASEWORKER = "caseworker", _("相談員")
    COORDINATOR = "coordinator", _("相談支援包括化推進員")
    CSW = "csw", _("コミュニティソーシャルワーカー")
    PARTICIPATION_WORKER = "participation_worker", _("参加支援員")
    SUPERVISOR = "supervisor", _("係長・スーパーバイザー")
    ADMIN = "admin", _("事務・管理者")
    # Reviews emergency (break-the-glass) access and answers disclosure requests; sees the access
    # records of persons, never their content (access.policy).
    PRIVACY_OFFICER = "privacy_officer", _("個人情報保護担当")
    RESIDENT = "resident", _("民生委員・地域住民")


# Roles whose members must use two-factor authentication.
ROLES_REQUIRING_2FA = frozenset({Role.SUPERVISOR, Role.ADMIN, Role.PRIVACY_OFFICER})
# Professional roles (everyone but the restricted resident role).
STAFF_ROLES = frozenset(r for r in Role if r != Role.RESIDENT)
# Roles that work with persons and can carry work (cases, referrals, assignments): not the
# admin (reference data) nor the resident (concern slips).
CARE_ROLES = frozenset(
    {Role.CASEWORKER, Role.COORDINATOR, Role.CSW, Role.PARTICIPATION_WORKER, Role.SUPERVISOR}
)
