"""Reference lists of 参加支援. Codes are the canonical names in code, data and the API."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Interest(models.TextChoices):
    """What a person would like to do / what a host offers: one vocabulary on both sides, so
    the matching can say "matches interest X"."""

    FARMING = "farming", _("農作業")
    GARDENING = "gardening", _("園芸・草花")
    COOKING = "cooking", _("調理・食事づくり")
    SERVING = "serving", _("接客・カフェ")
    CLEANING = "cleaning", _("清掃・片付け")
    LIGHT_WORK = "light_work", _("軽作業・内職")
    SALES = "sales", _("販売・レジ")
    BOOKS = "books", _("本・古本")
    OFFICE = "office", _("事務・パソコン")
    CRAFTS = "crafts", _("ものづくり・手芸")
    CHILDREN = "children", _("子どもと関わる")
    ELDERLY = "elderly", _("高齢者と交流")
    ANIMALS = "animals", _("動物")
    MUSIC_ART = "music_art", _("音楽・アート")
    SPORTS = "sports", _("運動・スポーツ")
    STUDY = "study", _("学習・学び直し")
    DELIVERY = "delivery", _("配達・運転")
    COMMUNITY = "community", _("地域活動・行事")
    TALKING = "talking", _("おしゃべり・居場所")


class Weekday(models.IntegerChoices):
    MON = 0, _("月")
    TUE = 1, _("火")
    WED = 2, _("水")
    THU = 3, _("木")
    FRI = 4, _("金")
    SAT = 5, _("土")
    SUN = 6, _("日")


WEEKDAY_LABELS = {d.value: str(d.label) for d in Weekday}


class Transport(models.TextChoices):
    WALK = "walk", _("徒歩")
    BICYCLE = "bicycle", _("自転車")
    BUS = "bus", _("路線バス")
    CAR = "car", _("自家用車")
    ESCORT = "escort", _("送迎・同行が必要")


class Anxiety(models.TextChoices):
    """人への不安 (how hard being among people is for the person today)."""

    NONE = "none", _("特になし")
    SOME = "some", _("少しある(少人数なら)")
    STRONG = "strong", _("強い(人の少ない場・時間から)")


class Physical(models.TextChoices):
    LIGHT = "light", _("軽い作業のみ")
    MODERATE = "moderate", _("ふつう")
    HEAVY = "heavy", _("力仕事もできる")


class RoleWish(models.TextChoices):
    USER = "user", _("利用者として")
    HELPER = "helper", _("担い手(手伝う側)として")
    EITHER = "either", _("どちらでも")


class PlacementRole(models.TextChoices):
    USER = "user", _("利用者")
    HELPER = "helper", _("担い手")


class PlacementStatus(models.TextChoices):
    PROPOSED = "proposed", _("提案")
    VISIT = "visit", _("見学")
    TRIAL = "trial", _("体験")
    ACTIVE = "active", _("参加")
    ENDED = "ended", _("終了")


class Outcome(models.TextChoices):
    SETTLED = "settled", _("定着")
    EMPLOYED = "employed", _("就労")
    OTHER_ACTIVITY = "other_activity", _("他の活動へ")
    DROPPED = "dropped", _("中断")


class FollowUpTarget(models.TextChoices):
    PERSON = "person", _("本人")
    HOST = "host", _("受け入れ先")


class FollowUpKind(models.TextChoices):
    VISIT = "visit", _("訪問")
    PHONE = "phone", _("電話")
    ACCOMPANY = "accompany", _("同行")
    INTERVIEW = "interview", _("面談")
    # host support (受け入れ先への支援)
    CONSULT = "consult", _("相談")
    TRAINING = "training", _("研修")
    ADJUST = "adjust", _("調整")


HOST_SUPPORT_KINDS = frozenset({FollowUpKind.CONSULT, FollowUpKind.TRAINING, FollowUpKind.ADJUST})


class ActivitySource(models.TextChoices):
    WORKER = "worker", _("参加支援員が記録")
    HOST = "host", _("受け入れ先からの報告")
