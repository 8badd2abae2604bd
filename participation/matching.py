"""Matching a person to resources, with reasons. Pure functions over two small fact records.

Nothing here decides anything: it ranks and explains, and the 参加支援員 proposes. Every point a
resource gets or loses comes from one named criterion and is written down as a reason with the
numbers behind it ("自宅から約1.2km", "月・水に通える"), so a worker (and the person) can see why
a resource is high or low and change the weights or exclude it.

Criteria (the worker weights each from 0 to 3; 1 is the default):

    interest     the activities offered match the person's interests (+10 per match, max 2;
                 -6 when nothing matches)
    distance     within 2 km (+8), within the distance the person can travel (+3), on a bus
                 line near home for a person who uses the bus (+6); too far with no bus (-8)
    hours        open on days the person can come (+5) and during their hours (+2); no common
                 day (-10); a session longer than the person can manage (-4)
    role         the person wants to help and the host has a 担い手 role (+8) or not (-6);
                 a host taking only helpers for a person who wants to come as a user (-8)
    withdrawal   for a person after long withdrawal or with strong anxiety about people: host
                 experienced with withdrawal (+8) or not (-4); small group (+3) or not (-3)
    capacity     no place left (-12, a condition); few places left (+0, said)
    conditions   age outside the host's range (-20, a condition); cost above what the person
                 can pay (-8); free (+1); physical load heavier than the person can take (-6)
    income       the person needs income and the host pays a reward/工賃 (+6) or not (-3)

A result whose conditions exclude it (age, no place left) is still listed, below the others and
marked 条件外: the worker may know better (a place may open, the host may make an exception).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import time
from functools import cached_property

from django.utils.translation import get_language, gettext

from .choices import WEEKDAY_LABELS, Anxiety, Interest, Physical, RoleWish, Transport

CRITERIA: tuple[str, ...] = (
    "interest",
    "distance",
    "hours",
    "role",
    "withdrawal",
    "capacity",
    "conditions",
    "income",
)
DEFAULT_WEIGHTS: dict[str, float] = dict.fromkeys(CRITERIA, 1.0)
MAX_WEIGHT = 3.0
NEAR_KM = 2.0
INTEREST_LABELS = dict(Interest.choices)


@functools.lru_cache(maxsize=1024)
def _translated(language: str | None, message: str) -> str:
    return gettext(message)


def _(message: str) -> str:
    """gettext, memoised per language: a ranking over 2,000 resources says the same few dozen
    sentences tens of thousands of times."""
    return _translated(get_language(), message)


@functools.lru_cache(maxsize=16)
def _interest_labels(language: str | None) -> dict[str, str]:
    return {code: str(label) for code, label in Interest.choices}


PHYSICAL_ORDER = {Physical.LIGHT: 0, Physical.MODERATE: 1, Physical.HEAVY: 2}


@dataclass(frozen=True)
class PersonFacts:
    interests: frozenset[str] = frozenset()
    age: int | None = None
    home: tuple[float, float] | None = None  # (lat, lng), the 町丁目's point, not the door
    area_id: int | None = None
    bus_lines: frozenset[str] = frozenset()  # lines with a stop near home
    transport: frozenset[str] = frozenset()
    max_travel_km: float | None = None
    days: frozenset[int] = frozenset()  # 0 = Monday
    hours_from: time | None = None
    hours_to: time | None = None
    max_hours_per_session: float | None = None
    role_wish: str = RoleWish.EITHER
    withdrawal: bool = False  # long ひきこもり or not out for a long time
    anxiety: str = Anxiety.NONE
    wants_income: bool = False
    max_cost_yen: int | None = None
    physical: str = Physical.MODERATE


@dataclass(frozen=True)
class ResourceFacts:
    key: str
    name: str
    activities: frozenset[str] = frozenset()
    point: tuple[float, float] | None = None
    area_id: int | None = None
    bus_lines: frozenset[str] = frozenset()
    days: frozenset[int] = frozenset()
    opens: time | None = None
    closes: time | None = None
    hours_per_session: float | None = None
    accepts_users: bool = True
    helper_role: bool = False
    withdrawal_experience: bool = False
    small_group: bool = False
    capacity: int | None = None
    occupied: int = 0
    min_age: int | None = None
    max_age: int | None = None
    cost_yen: int = 0
    paid: bool = False
    physical: str = Physical.MODERATE


class Reason:
    """One criterion's verdict. Its sentence may be given as a function and is then written when
    first read: every resource of the catalogue is scored (2,000 at city scale) and the page
    shows the best 20 — formatting all the others' sentences was most of the page's time. For
    the same reason the scorer keeps each verdict as a plain tuple and a result makes its Reasons
    only when they are read (`MatchResult.scored`)."""

    __slots__ = ("_text", "criterion", "points")

    def __init__(self, criterion: str, text: str | Callable[[], str], points: float):
        self.criterion = criterion
        self._text = text
        self.points = points  # after the weight; > 0 for, < 0 against, 0 said for information

    @property
    def text(self) -> str:
        if callable(self._text):
            self._text = self._text()
        return self._text

    def __eq__(self, other) -> bool:
        if not isinstance(other, Reason):
            return NotImplemented
        return (self.criterion, self.text, self.points) == (
            other.criterion,
            other.text,
            other.points,
        )

    def __hash__(self) -> int:
        return hash((self.criterion, self.text, self.points))

    def __repr__(self) -> str:
        return f"Reason({self.criterion!r}, {self.text!r}, {self.points!r})"

    @property
    def is_for(self) -> bool:
        return self.points > 0


@dataclass
class MatchResult:
    """A resource's score and its reasons. The reasons are sorted into for, against and notes
    when first read: the whole catalogue is scored, the page shows the best few."""

    resource: ResourceFacts
    score: float
    # (criterion, sentence or its function, points after the weight), in the order judged
    verdicts: list[tuple[str, str | Callable[[], str], float]] = field(default_factory=list)
    excluded_by_condition: bool = False
    rank: int = 0

    @cached_property
    def scored(self) -> list[Reason]:
        """The verdicts as Reasons, in the order the criteria were judged."""
        return [Reason(*v) for v in self.verdicts]

    @cached_property
    def reasons_for(self) -> list[Reason]:
        """Strongest first."""
        return sorted((x for x in self.scored if x.points > 0), key=lambda x: -x.points)

    @cached_property
    def reasons_against(self) -> list[Reason]:
        """Weightiest first."""
        return sorted((x for x in self.scored if x.points < 0), key=lambda x: x.points)

    @cached_property
    def notes(self) -> list[Reason]:
        return [x for x in self.scored if x.points == 0]

    @property
    def reasons(self) -> list[Reason]:
        return [*self.reasons_for, *self.reasons_against, *self.notes]

    def as_dict(self) -> dict:
        return {
            "resource": self.resource.key,
            "name": self.resource.name,
            "rank": self.rank,
            "score": round(self.score, 1),
            "excluded_by_condition": self.excluded_by_condition,
            "reasons_for": [_reason_dict(r) for r in self.reasons_for],
            "reasons_against": [_reason_dict(r) for r in self.reasons_against],
            "notes": [_reason_dict(r) for r in self.notes],
        }


def _reason_dict(r: Reason) -> dict:
    return {"criterion": r.criterion, "text": r.text, "points": round(r.points, 1)}


def clean_weights(raw: Mapping[str, object] | None) -> dict[str, float]:
    """Weights from a form or query string: unknown keys dropped, values clamped to 0–3."""
    weights = dict(DEFAULT_WEIGHTS)
    for key, value in (raw or {}).items():
        if key not in weights:
            continue
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
        if math.isfinite(number):
            weights[key] = min(MAX_WEIGHT, max(0.0, number))
    return weights


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine) in kilometres."""
    lat1, lng1 = map(math.radians, a)
    lat2, lng2 = map(math.radians, b)
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    )
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(h)))


def _days(days: Iterable[int]) -> str:
    return "・".join(WEEKDAY_LABELS[d] for d in sorted(days) if d in WEEKDAY_LABELS)


def _labels(codes: Iterable[str], language: str | None = None) -> str:
    labels = _interest_labels(language or get_language())
    return "・".join(labels.get(c, c) for c in sorted(codes))


class _Scorer:
    def __init__(self, person: PersonFacts, weights: Mapping[str, float]):
        self.p = person
        self.w = weights
        self.language = get_language()  # once: asking per sentence costs more than scoring

    def _(self, message: str) -> str:
        return _translated(self.language, message)

    def reason(self, out: list, criterion: str, text: Callable[[], str], points: float) -> None:
        out.append((criterion, text, points * self.w.get(criterion, 1.0)))

    def score(self, r: ResourceFacts) -> MatchResult:
        p = self.p
        out: list[Reason] = []
        excluded = False
        # interest
        if p.interests:
            common = p.interests & r.activities
            if common:
                self.reason(
                    out,
                    "interest",
                    lambda: (
                        self._("関心「%(x)s」に合う活動がある")
                        % {"x": _labels(common, self.language)}
                    ),
                    10.0 * min(2, len(common)),
                )
            else:
                self.reason(out, "interest", lambda: self._("関心に合う活動がない"), -6.0)
        # distance / transport
        near_bus = bool(p.bus_lines & r.bus_lines)
        uses_bus = Transport.BUS in p.transport or not p.transport
        km = distance_km(p.home, r.point) if p.home and r.point else None
        if km is not None and km <= NEAR_KM:
            self.reason(
                out, "distance", lambda: self._("自宅から約%(km).1fkm(2km以内)") % {"km": km}, 8.0
            )
        elif near_bus and uses_bus:
            line = "・".join(sorted(p.bus_lines & r.bus_lines))
            self.reason(
                out, "distance", lambda: self._("路線バス(%(line)s)で通える") % {"line": line}, 6.0
            )
        elif km is not None and p.max_travel_km is not None and km <= p.max_travel_km:
            self.reason(
                out,
                "distance",
                lambda: (
                    self._("自宅から約%(km).1fkm(通える範囲%(max)skm以内)")
                    % {"km": km, "max": p.max_travel_km}
                ),
                3.0,
            )
        elif km is not None:
            if Transport.CAR in p.transport or Transport.ESCORT in p.transport:
                self.reason(
                    out,
                    "distance",
                    lambda: self._("自宅から約%(km).1fkm(車・送迎が必要)") % {"km": km},
                    -3.0,
                )
            else:
                self.reason(
                    out,
                    "distance",
                    lambda: self._("自宅から約%(km).1fkmで、近くを通るバス路線もない") % {"km": km},
                    -8.0,
                )
        elif p.area_id and r.area_id:
            if p.area_id == r.area_id:
                self.reason(out, "distance", lambda: self._("同じ圏域にある"), 4.0)
            else:
                self.reason(out, "distance", lambda: self._("別の圏域にある(距離は未登録)"), -2.0)
        else:
            self.reason(out, "distance", lambda: self._("所在地または自宅付近の位置が未登録"), 0.0)
        # hours
        if p.days and r.days:
            common_days = p.days & r.days
            if common_days:
                self.reason(
                    out,
                    "hours",
                    lambda: self._("%(days)sに通える") % {"days": _days(common_days)},
                    5.0,
                )
            else:
                self.reason(
                    out,
                    "hours",
                    lambda: (
                        self._("通える曜日(%(p)s)と活動日(%(r)s)が合わない")
                        % {"p": _days(p.days), "r": _days(r.days)}
                    ),
                    -10.0,
                )
        if p.hours_from and p.hours_to and r.opens and r.closes:
            if r.opens < p.hours_to and p.hours_from < r.closes:
                self.reason(
                    out,
                    "hours",
                    lambda: (
                        self._("時間帯が合う(%(o)s〜%(c)s)")
                        % {"o": r.opens.strftime("%H:%M"), "c": r.closes.strftime("%H:%M")}
                    ),
                    2.0,
                )
            else:
                self.reason(
                    out, "hours", lambda: self._("活動の時間帯が本人の都合と重ならない"), -5.0
                )
        if (
            p.max_hours_per_session is not None
            and r.hours_per_session is not None
            and r.hours_per_session > p.max_hours_per_session
        ):
            self.reason(
                out,
                "hours",
                lambda: (
                    self._("1回%(r)s時間で、本人の目安(%(p)s時間)より長い")
                    % {"r": _num(r.hours_per_session), "p": _num(p.max_hours_per_session)}
                ),
                -4.0,
            )
        # role
        if p.role_wish == RoleWish.HELPER:
            if r.helper_role:
                self.reason(out, "role", lambda: self._("担い手(手伝う側)の役割がある"), 8.0)
            else:
                self.reason(out, "role", lambda: self._("担い手としての役割がない"), -6.0)
        elif p.role_wish == RoleWish.USER and not r.accepts_users:
            self.reason(out, "role", lambda: self._("担い手としての参加のみ受け入れている"), -8.0)
        elif p.role_wish == RoleWish.EITHER and r.helper_role:
            self.reason(out, "role", lambda: self._("担い手の役割もある"), 2.0)
        # withdrawal / anxiety about people
        careful = p.withdrawal or p.anxiety == Anxiety.STRONG
        if careful:
            if r.withdrawal_experience:
                self.reason(
                    out,
                    "withdrawal",
                    lambda: self._("ひきこもり経験のある人の受け入れ経験がある"),
                    8.0,
                )
            else:
                self.reason(
                    out,
                    "withdrawal",
                    lambda: self._("ひきこもり経験のある人の受け入れ経験がない"),
                    -4.0,
                )
        if p.anxiety in (Anxiety.SOME, Anxiety.STRONG):
            if r.small_group:
                self.reason(out, "withdrawal", lambda: self._("少人数で過ごせる"), 3.0)
            else:
                self.reason(out, "withdrawal", lambda: self._("人の出入りが多い"), -3.0)
        # capacity
        if r.capacity is not None:
            left = r.capacity - r.occupied
            if left <= 0:
                excluded = True
                self.reason(
                    out,
                    "capacity",
                    lambda: self._("定員%(c)s人に空きがない") % {"c": r.capacity},
                    -12.0,
                )
            elif left <= 2:
                out.append(("capacity", lambda: self._("空きは残り%(n)s人") % {"n": left}, 0.0))
            else:
                self.reason(out, "capacity", lambda: self._("空きが%(n)s人ある") % {"n": left}, 1.0)
        # conditions: age, cost, physical load
        if p.age is not None and (
            (r.min_age is not None and p.age < r.min_age)
            or (r.max_age is not None and p.age > r.max_age)
        ):
            excluded = True
            self.reason(
                out,
                "conditions",
                lambda: self._("年齢条件(%(range)s)に合わない") % {"range": _age_range(r)},
                -20.0,
            )
        if p.max_cost_yen is not None and r.cost_yen > p.max_cost_yen:
            self.reason(
                out,
                "conditions",
                lambda: (
                    self._("費用%(c)s円が負担できる額(%(m)s円)を超える")
                    % {"c": r.cost_yen, "m": p.max_cost_yen}
                ),
                -8.0,
            )
        elif r.cost_yen == 0:
            self.reason(out, "conditions", lambda: self._("費用がかからない"), 1.0)
        if PHYSICAL_ORDER.get(r.physical, 1) > PHYSICAL_ORDER.get(p.physical, 1):
            self.reason(
                out, "conditions", lambda: self._("作業の身体的な負担が本人の目安より重い"), -6.0
            )
        # income
        if p.wants_income:
            if r.paid:
                self.reason(out, "income", lambda: self._("謝礼・工賃がある"), 6.0)
            else:
                self.reason(out, "income", lambda: self._("収入にはならない"), -3.0)
        return MatchResult(
            resource=r,
            score=sum([v[2] for v in out]),
            verdicts=out,
            excluded_by_condition=excluded,
        )


def _num(value: float) -> str:
    return f"{value:g}"


def _age_range(r: ResourceFacts) -> str:
    if r.min_age is not None and r.max_age is not None:
        return _("%(lo)s〜%(hi)s歳") % {"lo": r.min_age, "hi": r.max_age}
    if r.min_age is not None:
        return _("%(lo)s歳以上") % {"lo": r.min_age}
    return _("%(hi)s歳以下") % {"hi": r.max_age}


def score(
    person: PersonFacts, resource: ResourceFacts, weights: Mapping[str, float] | None = None
) -> MatchResult:
    return _Scorer(person, clean_weights(weights)).score(resource)


def rank(
    person: PersonFacts,
    resources: Iterable[ResourceFacts],
    weights: Mapping[str, float] | None = None,
    exclude: Iterable[str] = (),
) -> list[MatchResult]:
    """Every resource not excluded, best first; those a condition rules out come last.

    Ties keep the name order so the list is stable for the worker and for tests.
    """
    scorer = _Scorer(person, clean_weights(weights))
    excluded_keys = set(exclude)
    results = [scorer.score(r) for r in resources if r.key not in excluded_keys]
    results.sort(key=lambda m: (m.excluded_by_condition, -m.score, m.resource.name))
    for n, m in enumerate(results, start=1):
        m.rank = n
    return results
