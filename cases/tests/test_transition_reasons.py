"""The reason of a status change or a 主担当 period that the system writes (アセスメント開始, a
meeting's decision …) reads in the reader's language, whoever acted; a reason a user typed reads
as typed; rows from before the codes are given them by migration 0015."""

import importlib
import re

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from agencies.choices import Role
from agencies.tests.factories import staff
from cases import reasons
from cases.models import CaseTransition, LeadAgencyHistory
from cases.services import support as s
from cases.tests.factories import case_with_approved_plan, open_case

pytestmark = pytest.mark.django_db

backfill = importlib.import_module("cases.migrations.0015_transition_reason_code_backfill")


def speaking(user, language):
    user.language = language
    user.save(update_fields=["language"])
    return user


def english(text: str, **params) -> str:
    with translation.override("en"):
        rendered = translation.gettext(text) % params
    assert rendered != text % params, "the catalogue has no English for this reason"
    return rendered


@pytest.fixture
def actor(body):
    """Acts in English mode."""
    return speaking(staff(body, Role.COORDINATOR), "en")


@pytest.fixture
def reader(body):
    """Reads in Japanese."""
    return speaking(staff(body, Role.COORDINATOR), "ja")


def timeline(client, user, case) -> str:
    client.force_login(user)
    response = client.get(reverse("cases:case_detail", args=[case.public_id]))
    assert response.status_code == 200
    page = response.content.decode()
    return re.search(r'data-testid="timeline">(.*?)</ol>', page, re.S).group(1)


def api_reasons(user, case) -> list[dict]:
    client = APIClient()
    client.force_login(user)  # a session: the middleware activates the user's language
    response = client.get(f"/api/v1/support-cases/{case.public_id}/transitions/")
    assert response.status_code == 200
    return [{"reason": t["reason"], "code": t["reason_code"]} for t in response.json()]


def test_case_moved_in_english_mode_reads_japanese_to_a_japanese_reader(client, actor, reader):
    case = open_case(coordinator=actor, agency=actor.memberships.first().agency)
    client.force_login(actor)
    response = client.post(reverse("cases:assessment_new", args=[case.public_id]))
    assert response.status_code == 302
    [moved] = case.transitions.all()
    assert moved.to_status == "assessment"

    started = english("アセスメント開始")
    seen_in_japanese = timeline(client, reader, case)
    assert "アセスメント開始" in seen_in_japanese and started not in seen_in_japanese
    seen_in_english = timeline(client, actor, case)
    assert started in seen_in_english and "アセスメント開始" not in seen_in_english


def test_the_api_answers_the_reason_in_the_callers_language_with_its_code(body, actor, reader):
    with translation.override("en"):  # what the English-mode actor's request activates
        case, plan = case_with_approved_plan(coordinator=actor, agency=body)
    assert api_reasons(reader, case) == [
        {"reason": "アセスメント開始", "code": "assessment_started"},
        {"reason": "プラン作成開始", "code": "planning_started"},
        {"reason": "プランを会議に提出", "code": "plan_submitted"},
        {"reason": f"プラン第{plan.number}版を承認", "code": "plan_approved"},
    ]
    assert [t["reason"] for t in api_reasons(actor, case)] == [
        english("アセスメント開始"),
        english("プラン作成開始"),
        english("プランを会議に提出"),
        english("プラン第%(n)s版を承認", n=plan.number),
    ]


def test_the_stored_text_stays_japanese_whoever_acted(body, actor):
    with translation.override("en"):
        case = open_case(coordinator=actor, agency=body)
        s.assessment_create(case=case, actor=actor)
    assert case.transitions.get().reason == "アセスメント開始"
    assert case.lead_history.get().reason == "受付時"


def test_a_typed_reason_reads_as_typed_in_both_languages(body, actor, reader):
    case = open_case(coordinator=actor, agency=body)
    client = APIClient()
    client.force_authenticate(actor)
    response = client.post(
        f"/api/v1/support-cases/{case.public_id}/transition/",
        {"action": "start_assessment", "reason": "本人と面談のうえ開始"},
        format="json",
    )
    assert response.status_code == 200
    typed = {"reason": "本人と面談のうえ開始", "code": ""}
    assert api_reasons(reader, case) == [typed]
    assert api_reasons(actor, case) == [typed]


def test_closure_by_death_reads_as_the_closure_reason_in_each_language(body, actor, reader):
    case = open_case(coordinator=actor, agency=body)
    with translation.override("en"):
        s.case_close_exceptional(
            case=case, actor=actor, reason="died", closed_on=timezone.localdate()
        )
    assert api_reasons(reader, case) == [{"reason": "死亡", "code": "closure"}]
    assert api_reasons(actor, case) == [{"reason": english("死亡"), "code": "closure"}]


def test_lead_agency_reason_reads_in_the_readers_language_on_the_team_page(
    client, body, actor, reader
):
    with translation.override("en"):
        case = open_case(coordinator=actor, agency=body)
    url = reverse("cases:case_team", args=[case.public_id])
    client.force_login(reader)
    assert "<td>受付時</td>" in client.get(url).content.decode()
    client.force_login(actor)
    assert f"<td>{english('受付時')}</td>" in client.get(url).content.decode()


def test_the_migration_gives_codes_to_old_rows_in_either_language(body, actor, reader):
    case, plan = case_with_approved_plan(coordinator=actor, agency=body)
    rows = list(case.transitions.order_by("at", "pk"))
    old_texts = [
        "Assessment started",  # written by an English-mode user before the codes
        "プラン作成開始",
        "本人の希望で早めに提出",  # typed by a user
        "プラン第1版を承認(修正あり: 期間を3か月に短縮)",
    ]
    for row, text in zip(rows, old_texts, strict=True):
        CaseTransition.objects.filter(pk=row.pk).update(
            reason=text, reason_code="", reason_params={}
        )
    LeadAgencyHistory.objects.filter(case=case).update(
        reason="At intake", reason_code="", reason_params={}
    )

    backfill.forwards(apps, None)

    assert [(t["code"], t["reason"]) for t in api_reasons(reader, case)] == [
        ("assessment_started", "アセスメント開始"),
        ("planning_started", "プラン作成開始"),
        ("", "本人の希望で早めに提出"),
        ("plan_approved_with_changes", "プラン第1版を承認(修正あり: 期間を3か月に短縮)"),
    ]
    assert [t["reason"] for t in api_reasons(actor, case)] == [
        english("アセスメント開始"),
        english("プラン作成開始"),
        "本人の希望で早めに提出",
        english("プラン第%(n)s版を承認(修正あり: %(changes)s)", n=1, changes="期間を3か月に短縮"),
    ]
    lead = case.lead_history.get()
    assert lead.reason_code == "lead_at_intake"
    with translation.override("ja"):
        assert lead.reason_text == "受付時"


@pytest.mark.parametrize(
    ("text", "to_status", "via", "code", "params"),
    [
        ("評価第2回の決定: 終結", "closed", "meeting", "evaluation_decided", {"n": 2}),
        (
            "Decision on evaluation round 1: Re-plan",
            "replan",
            "meeting",
            "evaluation_decided",
            {"n": 1},
        ),
        ("転出", "closed", "", "closure", {}),
        ("再アセスメント", "assessment", "meeting", "meeting_decision", {}),
        ("転出", "assessment", "", None, None),  # not a closure: a reason someone typed
        ("評価第2回の決定: 未知", "closed", "meeting", None, None),
    ],
)
def test_the_migration_recognises_decisions_and_closures(text, to_status, via, code, params):
    found = backfill.transition_code(text, to_status=to_status, via=via)
    if code is None:
        assert found is None
    else:
        assert found[0] == code and params.items() <= found[1].items()


def test_a_meeting_decision_without_a_note_reads_as_the_decision_in_each_language():
    reason = reasons.meeting_decision("reassess")
    fields = reasons.stored(reason)
    assert fields["reason"] == "再アセスメント" and fields["reason_code"] == "meeting_decision"
    with translation.override("en"):
        text = reasons.render(fields["reason_code"], fields["reason_params"], fields["reason"])
    assert text == english("再アセスメント")


def test_every_reason_code_has_a_label_in_both_languages():
    assert set(reasons.LABELS) == set(reasons.REASONS)
    for label in [*reasons.LABELS.values(), reasons.NO_CODE_LABEL]:
        with translation.override("ja"):
            japanese = str(label)
        with translation.override("en"):
            assert str(label) != japanese, f"no English for {japanese}"


def test_the_schema_lists_each_reason_code_with_its_label_and_only_what_the_api_answers(
    openapi_schema,
):
    schema = openapi_schema.schema["components"]["schemas"]
    field = schema["Transition"]["properties"]["reason_code"]
    refs = {part["$ref"].rsplit("/", 1)[1] for part in field["oneOf"]}
    assert refs == {"ReasonCodeEnum", "BlankEnum"}  # a code, or "" for a typed reason
    enum = schema["ReasonCodeEnum"]
    assert enum["enum"] == reasons.TRANSITION_CODES
    assert "lead_at_intake" not in enum["enum"]  # 主担当 periods are not in the API
    with translation.override("ja"):
        for code in reasons.TRANSITION_CODES:
            assert f"* `{code}` - {reasons.LABELS[code]}" in enum["description"]
            assert f"* `{code}` - {reasons.LABELS[code]}" in field["description"]
        assert f"* `` - {reasons.NO_CODE_LABEL}" in enum["description"]


def test_every_code_the_api_answers_is_in_the_schema(body, actor, openapi_schema):
    case, _plan = case_with_approved_plan(coordinator=actor, agency=body)
    documented = set(openapi_schema.schema["components"]["schemas"]["ReasonCodeEnum"]["enum"])
    codes = {t["code"] for t in api_reasons(actor, case)}
    assert {"assessment_started", "plan_approved"} <= codes <= documented | {""}
