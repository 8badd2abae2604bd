"""The matching scorer: the labelled set's top-3 hit rate, reasons on every result, weights,
exclusions and conditions."""

from datetime import time

import pytest

from participation.matching import (
    DEFAULT_WEIGHTS,
    PersonFacts,
    ResourceFacts,
    clean_weights,
    distance_km,
    rank,
    score,
)

from .matching_cases import BY_KEY, CASES, RESOURCES, at


def hit_rate() -> tuple[float, list[str]]:
    misses = []
    for case in CASES:
        top3 = {m.resource.key for m in rank(case.person, RESOURCES)[:3]}
        if not case.expected & top3:
            misses.append(case.label)
    return 1 - len(misses) / len(CASES), misses


def test_labelled_set_is_big_enough_and_refers_to_known_resources():
    assert len(CASES) >= 40
    assert len(RESOURCES) == 30
    for case in CASES:
        assert case.expected and case.expected <= set(BY_KEY), case.label


def test_top3_hit_rate_is_at_least_0_9():
    rate, misses = hit_rate()
    print(f"top-3 hit rate {rate:.3f} over {len(CASES)} cases; misses: {misses}")
    assert rate >= 0.9, misses


def test_every_ranked_result_shows_reasons():
    for case in CASES:
        for m in rank(case.person, RESOURCES):
            assert m.reasons, (case.label, m.resource.key)
            assert all(r.text for r in m.reasons)
            assert round(sum(r.points for r in m.reasons), 6) == round(m.score, 6)


def test_reasons_name_the_numbers():
    person = PersonFacts(
        interests=frozenset({"farming"}),
        home=at(2.5, 0.3),
        withdrawal=True,
        days=frozenset({1, 3}),
        hours_from=time(8),
        hours_to=time(12),
    )
    m = score(person, BY_KEY["farm_minori"])
    texts = " ".join(r.text for r in m.reasons_for)
    assert "農作業" in texts and "km(2km以内)" in texts and "火・木に通える" in texts
    assert "ひきこもり経験のある人の受け入れ経験がある" in texts


def test_weights_change_the_order_and_zero_switches_a_criterion_off():
    person = PersonFacts(interests=frozenset({"books"}), home=at(3, 0), days=frozenset({0, 2, 4}))
    base = [m.resource.key for m in rank(person, RESOURCES)]
    assert base[0] == "books_honnowa"
    distance_heavy = [
        m.resource.key for m in rank(person, RESOURCES, {"distance": 3, "interest": 0})
    ]
    assert distance_heavy[0] != "books_honnowa"
    m = score(person, BY_KEY["books_honnowa"], {"interest": 0})
    assert all(r.points == 0 for r in m.reasons if r.criterion == "interest")


def test_excluded_resources_are_left_out():
    person = CASES[0].person
    keys = [m.resource.key for m in rank(person, RESOURCES, exclude=["cafe_hidamari"])]
    assert "cafe_hidamari" not in keys and len(keys) == 29


def test_conditions_put_a_resource_last_but_keep_it_listed_with_the_reason():
    person = PersonFacts(interests=frozenset({"cooking"}), age=40)
    results = rank(person, [BY_KEY["bento"], BY_KEY["kyodo_ryori"]])
    assert [m.resource.key for m in results] == ["kyodo_ryori", "bento"]
    assert results[1].excluded_by_condition
    assert any("空きがない" in r.text for r in results[1].reasons_against)
    old = PersonFacts(age=70)
    m = score(old, BY_KEY["logi_souko"])
    assert m.excluded_by_condition and any("18〜60歳" in r.text for r in m.reasons_against)


def test_helper_wish_needs_a_helper_role_and_user_wish_avoids_helper_only_hosts():
    helper = PersonFacts(role_wish="helper")
    user = PersonFacts(role_wish="user")
    assert score(helper, BY_KEY["haishoku"]).score > score(helper, BY_KEY["books_honnowa"]).score
    assert any("担い手としての参加のみ" in r.text for r in score(user, BY_KEY["haishoku"]).reasons)


def test_bus_line_counts_when_far():
    person = PersonFacts(
        home=at(-3, 0), bus_lines=frozenset({"北部循環"}), transport=frozenset({"bus"})
    )
    m = score(person, BY_KEY["farm_minori"])
    assert any("北部循環" in r.text and r.points > 0 for r in m.reasons)
    no_bus = PersonFacts(home=at(-3, 0), transport=frozenset({"walk"}))
    assert any(
        r.points < 0
        for r in score(no_bus, BY_KEY["farm_minori"]).reasons
        if r.criterion == "distance"
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"interest": "2"}, 2.0),
        ({"interest": "9"}, 3.0),
        ({"interest": "-1"}, 0.0),
        ({"interest": "x"}, 1.0),
        ({"interest": "nan"}, 1.0),
    ],
)
def test_clean_weights_clamps_and_ignores_bad_values(raw, expected):
    w = clean_weights({**raw, "unknown": 5})
    assert w["interest"] == expected and "unknown" not in w and set(w) == set(DEFAULT_WEIGHTS)


def test_distance_is_about_right():
    assert distance_km(at(0, 0), at(2, 0)) == pytest.approx(2.0, abs=0.05)


def test_missing_positions_say_so_instead_of_guessing():
    m = score(PersonFacts(), ResourceFacts(key="x", name="x"))
    assert any("未登録" in r.text for r in m.notes)


def test_sentences_are_written_only_for_the_reasons_read(monkeypatch):
    """Ranking scores every resource; a reason's sentence is formatted when it is read (the page
    shows the best 20 of 2,000) and then kept."""
    from participation import matching

    calls = []
    real = matching._labels
    monkeypatch.setattr(matching, "_labels", lambda *a, **k: calls.append(1) or real(*a, **k))
    person = PersonFacts(interests=frozenset({"farming"}), home=at(2.5, 0.3))
    results = matching.rank(person, RESOURCES)
    assert calls == []
    first = next(r for m in results for r in m.reasons_for if r.criterion == "interest")
    assert "農作業" in first.text and "農作業" in first.text
    assert calls == [1]
    assert first == matching.Reason("interest", first.text, first.points)
