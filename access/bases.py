"""The codes of the legal-basis registry and the rows a new installation starts with.

The registry itself is data (`access.LegalBasis`): a municipality may rename a row, change the
sections its members see, the look-back of meeting papers, the tail after a role ends and the
length of emergency access. The *code* is what the rules key on, so adding a basis is adding a
row here (and a data migration) plus the rule that reads it.
"""

CONSENT = "consent"
TAJIKAN = "tajikan"
SHIEN_KAIGI = "shien_kaigi"
JUSO_KAIGI = "juso_kaigi"
YOTAIKYO = "yotaikyo"
KONKYU_SHIEN_KAIGI = "konkyu_shien_kaigi"
CHIIKI_CARE = "chiiki_care"
EMERGENCY = "emergency"

ALL = (CONSENT, TAJIKAN, SHIEN_KAIGI, JUSO_KAIGI, YOTAIKYO, KONKYU_SHIEN_KAIGI, CHIIKI_CARE)

_BASIC = ["basic", "household"]
_ALL_SECTIONS = ["basic", "household", "health", "economy", "history", "other"]

# Seed rows (also used by the data migration and the tests). Plain strings: the migration
# stores them as data; labels in the UI come from the rows.
SEED = [
    {
        "code": CONSENT,
        "name": "本人同意",
        "law": "個人情報の保護に関する法律",
        "article": "第27条第1項・第69条第1項(本人の同意による提供)",
        "consent_required": True,
        "confidentiality_duty": "各機関の根拠法・契約による守秘義務",
        "convenor": "本人(同意書に記載した機関・範囲に限る)",
        "sections": _ALL_SECTIONS,
        "person_scope": "consented",
        "lookback_days": 0,
        "tail_days": 0,
        "order": 10,
        "note": "同意書に記載した機関に、記載した情報の種類だけを、有効期限まで共有します。"
        "撤回するとその時点で見られなくなります。",
    },
    {
        "code": TAJIKAN,
        "name": "多機関協働事業の実施",
        "law": "社会福祉法",
        "article": "第106条の4第2項第5号",
        "consent_required": False,
        "confidentiality_duty": "社会福祉法第106条の5(委託先の守秘義務)",
        "convenor": "市町村(多機関協働事業の実施機関)",
        "sections": _ALL_SECTIONS,
        "person_scope": "case",
        "lookback_days": 0,
        "tail_days": 0,
        "order": 20,
        "note": "多機関協働の実施機関が自ら受け付けたケースを扱う根拠です。"
        "世帯員の個人情報を他機関と共有するには本人同意が必要です。",
    },
    {
        "code": SHIEN_KAIGI,
        "name": "支援会議",
        "law": "社会福祉法",
        "article": "第106条の6",
        "consent_required": False,
        "confidentiality_duty": "社会福祉法第106条の6第5項(構成員の守秘義務・罰則あり)",
        "convenor": "市町村",
        "sections": _BASIC,
        "person_scope": "item",
        "lookback_days": 365,
        "tail_days": 30,
        "order": 30,
        "note": "本人同意がなくても、構成員の間で議題の対象者の情報を共有できます。"
        "守秘義務の誓約をした今年度の構成員に限ります。",
    },
    {
        "code": JUSO_KAIGI,
        "name": "重層的支援会議",
        "law": "社会福祉法",
        "article": "第106条の4第2項第5号(本人同意に基づく)",
        "consent_required": True,
        "confidentiality_duty": "本人同意の範囲・各機関の守秘義務",
        "convenor": "市町村(多機関協働事業の実施機関)",
        "sections": _ALL_SECTIONS,
        "person_scope": "consented",
        "lookback_days": 365,
        "tail_days": 30,
        "order": 40,
        "note": "本人同意を得たケースのプラン・評価を協議します。同意のない人の情報は扱えません。",
    },
    {
        "code": YOTAIKYO,
        "name": "要保護児童対策地域協議会",
        "law": "児童福祉法",
        "article": "第25条の2・第25条の3(資料・情報の提供)",
        "consent_required": False,
        "confidentiality_duty": "児童福祉法第25条の5(構成員の守秘義務・罰則あり)",
        "convenor": "市町村(要保護児童対策調整機関)",
        "sections": _ALL_SECTIONS,
        "person_scope": "item",
        "lookback_days": 365,
        "tail_days": 30,
        "restricts_material": True,
        "order": 50,
        "note": "構成員限りの記録(要対協の記録)は現在の構成員だけが見られ、"
        "他の機関にはその存在も示しません。",
    },
    {
        "code": KONKYU_SHIEN_KAIGI,
        "name": "支援会議(生活困窮者自立支援法)",
        "law": "生活困窮者自立支援法",
        "article": "第9条",
        "consent_required": False,
        "confidentiality_duty": "生活困窮者自立支援法第9条第5項(構成員の守秘義務・罰則あり)",
        "convenor": "都道府県・市・福祉事務所を設置する町村",
        "sections": _BASIC,
        "person_scope": "item",
        "lookback_days": 365,
        "tail_days": 30,
        "order": 60,
        "note": "本人同意がなくても、生活困窮者の支援のため構成員の間で情報を共有できます。",
    },
    {
        "code": CHIIKI_CARE,
        "name": "地域ケア会議",
        "law": "介護保険法",
        "article": "第115条の48",
        "consent_required": False,
        "confidentiality_duty": "介護保険法第115条の48第5項(構成員の守秘義務・罰則あり)",
        "convenor": "市町村・地域包括支援センター",
        "sections": _BASIC,
        "person_scope": "item",
        "lookback_days": 365,
        "tail_days": 30,
        "order": 70,
        "note": "個別ケースの検討のため、構成員に資料・情報の提供を求めることができます。",
    },
    {
        "code": EMERGENCY,
        "name": "緊急時(生命・身体の保護)",
        "law": "個人情報の保護に関する法律",
        "article": "第27条第1項第2号(民間の受託機関)・第69条第2項第4号(市町村)",
        "consent_required": False,
        "confidentiality_duty": "各機関の根拠法・契約による守秘義務",
        "convenor": "開いた職員(理由を記録し、係長と個人情報保護担当が事後に確認)",
        "sections": _ALL_SECTIONS,
        "person_scope": "record",
        "lookback_days": 0,
        "tail_days": 0,
        "duration_hours": 4,
        "is_emergency": True,
        "order": 90,
        "note": "人の生命・身体の保護のために必要で、本人の同意を得ることが困難なときに限ります。",
    },
]

# What a 会議体 of each kind carries by default (meetings.MeetingBody.kind / designated_from).
BODY_KIND_DEFAULT = {"shien_kaigi": SHIEN_KAIGI, "juso_kaigi": JUSO_KAIGI}
DESIGNATED_DEFAULT = {
    "yohogo": YOTAIKYO,
    "chiiki_care": CHIIKI_CARE,
    "shien_chosei": KONKYU_SHIEN_KAIGI,
}

# Rows that are not the basis of a meeting body.
NOT_MEETING = frozenset({CONSENT, TAJIKAN, EMERGENCY})


def default_code_for_body(kind: str, designated_from: str) -> str:
    """The registry code a body carries unless chosen: the designated meeting's own basis for a
    支援会議 that is an existing body (要対協, 地域ケア会議 …), else the kind's."""
    if kind == "shien_kaigi" and designated_from in DESIGNATED_DEFAULT:
        return DESIGNATED_DEFAULT[designated_from]
    return BODY_KIND_DEFAULT.get(kind, SHIEN_KAIGI)


def meeting_bases():
    from .models import LegalBasis

    return LegalBasis.objects.filter(is_active=True, is_emergency=False).exclude(
        code__in=NOT_MEETING
    )
