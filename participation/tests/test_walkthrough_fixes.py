"""What users met walking the demo: a refused form on a page answers that page again (400) with
what was typed and the Japanese error at the field; days before a placement's proposal, negative
hours or distances, and an assessment version dated before the previous one are refused (in the
service, so the API answers 400 at the field too); the matching list pages through every
candidate; the placement and gap tables print dates in the house style (|jdate)."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from agencies.jpdates import format_date, wareki
from community.tests.factories import ResourceFactory
from participation import services as svc
from participation import services_placements as ps
from participation.models import (
    ActivityDay,
    FollowUp,
    ParticipationAssessment,
    Placement,
    ResourceGap,
    ResourceProfile,
)
from participation.views_placements import MATCH_LIMIT

from .factories import participation_world

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PROPOSED = TODAY - dt.timedelta(days=10)


@pytest.fixture
def w():
    return participation_world()


@pytest.fixture
def sheet(w):
    a = svc.assessment_create(case=w.case, person=w.person, actor=w.worker)
    return svc.assessment_update(
        assessment=a, actor=w.worker, lock_version=1, data={"interests": ["farming"]}
    )


@pytest.fixture
def placement(w, sheet):
    farm = ResourceFactory(name="農福連携ファーム みのり", interest_tags=["農作業"], capacity=6)
    return ps.placement_propose(
        assessment=sheet, resource=farm, actor=w.worker, proposed_on=PROPOSED
    )


def _form(body: str, testid: str) -> str:
    """The HTML of the form `data-testid=testid` on the page."""
    start = body.index(f'data-testid="{testid}"')
    return body[start : body.index("</form>", start)]


def _field_error(html: str, field_id: str) -> str:
    match = re.search(rf'<div id="{field_id}_error"[^>]*>(.*?)</div>', html, re.S)
    assert match, f"no error at {field_id}"
    return match.group(1)


# --- 1. the placement page's forms answer the page again -----------------------------------------


def test_refused_follow_up_answers_the_placement_page_with_what_was_typed(client, w, placement):
    client.force_login(w.worker)
    url = reverse("participation:placement_follow_up", args=[placement.public_id])
    tomorrow = TODAY + dt.timedelta(days=1)
    r = client.post(
        url,
        {
            "target": "host",
            "kind": "adjust",
            "on": tomorrow.isoformat(),
            "minutes": "45",
            "content": "作業時間の調整を相談した",
        },
    )
    assert r.status_code == 400
    body = r.content.decode()
    assert "農福連携ファーム みのり" in body  # the placement page itself, not a redirect
    form = _form(body, "follow-up-form")
    assert "未来の日付は記録できません。" in _field_error(form, "follow_up_on")
    assert f'value="{tomorrow.isoformat()}"' in form and 'value="45"' in form
    assert "作業時間の調整を相談した</textarea>" in form
    assert '<option value="adjust" selected>' in form
    # the other forms are as new, without errors
    assert "error" not in _form(body, "activity-form")
    assert not FollowUp.objects.exists()


def test_refused_activity_day_keeps_the_hours_and_shows_the_error_at_the_date(client, w, placement):
    ps.placement_move(placement=placement, actor=w.worker, to="trial", on=TODAY)
    client.force_login(w.worker)
    url = reverse("participation:placement_activity", args=[placement.public_id])
    early = PROPOSED - dt.timedelta(days=2)
    r = client.post(
        url, {"on": early.isoformat(), "hours": "2.5", "source": "host", "note": "雨で短め"}
    )
    assert r.status_code == 400
    form = _form(r.content.decode(), "activity-form")
    error = _field_error(form, "activity_on")
    assert f"提案日({format_date(PROPOSED)})より前の日付は記録できません。" in error
    assert 'value="2.5"' in form and 'value="雨で短め"' in form
    assert not ActivityDay.objects.exists()


def test_refused_move_keeps_the_note_and_shows_the_error_at_the_outcome(client, w, placement):
    client.force_login(w.worker)
    url = reverse("participation:placement_move", args=[placement.public_id])
    r = client.post(url, {"to": "ended", "on": TODAY.isoformat(), "note": "本人の希望で終了"})
    assert r.status_code == 400
    form = _form(r.content.decode(), "move-form")
    assert "終了の結果を選んでください。" in _field_error(form, "move_outcome")
    assert "本人の希望で終了</textarea>" in form
    placement.refresh_from_db()
    assert placement.status == "proposed"


def test_the_placement_forms_have_ids_of_their_own(client, w, placement):
    client.force_login(w.worker)
    body = client.get(reverse("participation:placement", args=[placement.public_id])).content
    ids = re.findall(r'\sid="([^"]+)"', body.decode())
    assert "move_on" in ids and "activity_on" in ids and "follow_up_on" in ids
    assert len(ids) == len(set(ids))


# --- 1. the other embedded forms -----------------------------------------------------------------


def test_refused_proposal_answers_the_matching_list_at_the_candidate(client, w, sheet):
    resource = ResourceFactory(name="資源A", interest_tags=["農作業"])
    client.force_login(w.worker)
    url = reverse("participation:match", args=[sheet.public_id]) + "?interest=2"
    typed = "畑" * 201
    r = client.post(url, {"resource": str(resource.public_id), "role": "user", "activity": typed})
    assert r.status_code == 400
    body = r.content.decode()
    row = body[body.index(f'data-resource="{resource.public_id}"') :]
    row = row[: row.index("\n</li>")]  # the candidate, to its own closing tag
    assert f'value="{typed}"' in row
    assert "200 文字以下" in row  # the error at the candidate's form
    assert 'name="interest" value="2"' in body  # the list as it was weighted
    assert not Placement.objects.exists()
    # corrected, the same form proposes
    r = client.post(url, {"resource": str(resource.public_id), "role": "user", "activity": "畑"})
    assert r.status_code == 302 and Placement.objects.get().activity == "畑"


def test_refused_assessment_start_shows_the_error_at_the_person(client, w):
    client.force_login(w.worker)
    r = client.post(
        reverse("participation:assessment_new", args=[w.case.public_id]), {"person": "0"}
    )
    assert r.status_code == 400
    body = r.content.decode()
    assert "本人を選んでください。" in _field_error(body, "id_person")
    assert not ParticipationAssessment.objects.exists()


def test_refused_gap_link_shows_the_error_at_the_resource(client, w, sheet):
    gap = ps.gap_record(actor=w.worker, assessment=sheet, title="夜に通える居場所")
    client.force_login(w.worker)
    r = client.post(reverse("participation:gap_link", args=[gap.public_id]), {"resource": ""})
    assert r.status_code == 400
    assert "社会資源を選んでください。" in _field_error(r.content.decode(), "id_resource")
    assert ResourceGap.objects.get().resource is None


# --- 2. no day before the placement's proposal -----------------------------------------------------


def test_days_before_the_proposal_are_refused_by_the_service_and_the_api(client, w, placement):
    p = ps.placement_move(placement=placement, actor=w.worker, to="trial", on=TODAY)
    early = PROPOSED - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        ps.activity_record(placement=p, actor=w.worker, days=[TODAY, early], hours=2)
    assert "提案日" in exc.value.message_dict["days"][0]
    with pytest.raises(ValidationError) as exc:
        ps.follow_up_record(placement=p, actor=w.worker, target="host", kind="phone", on=early)
    assert "提案日" in exc.value.message_dict["on"][0]
    # the proposal's own day is a day of the placement
    ps.activity_record(placement=p, actor=w.worker, days=[PROPOSED], hours=2)
    ps.follow_up_record(placement=p, actor=w.worker, target="host", kind="phone", on=PROPOSED)

    client.force_login(w.worker)
    base = f"/api/v1/participation/placements/{p.public_id}/"
    r = client.post(
        base + "activity/",
        {"days": [early.isoformat()], "hours": "2"},
        content_type="application/json",
    )
    assert r.status_code == 400
    assert "提案日" in r.json()["error"]["fields"]["days"][0]
    r = client.post(
        base + "follow-ups/",
        {"target": "host", "kind": "phone", "on": early.isoformat()},
        content_type="application/json",
    )
    assert r.status_code == 400
    assert "提案日" in r.json()["error"]["fields"]["on"][0]
    assert ActivityDay.objects.count() == 1 and FollowUp.objects.count() == 1


# --- 3. no negative hours or distances -----------------------------------------------------------


def _sheet_post(sheet, **values):
    data = {
        "assessed_on": TODAY.isoformat(),
        "physical": "moderate",
        "anxiety": "none",
        "role_wish": "either",
        "lock_version": sheet.lock_version,
    }
    data.update(values)
    return data


def test_negative_hours_and_distance_on_the_sheet_are_refused_at_the_field(client, w, sheet):
    client.force_login(w.worker)
    url = reverse("participation:assessment_edit", args=[sheet.public_id])
    r = client.post(url, _sheet_post(sheet, max_hours_per_session="-1", max_travel_km="-3"))
    assert r.status_code == 200  # the sheet's form answers again (its existing pattern)
    body = r.content.decode()
    for field in ("max_hours_per_session", "max_travel_km"):
        assert "0 以上でなければなりません" in _field_error(body, f"id_{field}")
    assert 'value="-3"' in body
    sheet.refresh_from_db()
    assert sheet.max_travel_km is None and sheet.max_hours_per_session is None

    r = client.patch(
        f"/api/v1/participation/assessments/{sheet.public_id}/",
        {"lock_version": sheet.lock_version, "max_travel_km": "-3"},
        content_type="application/json",
    )
    assert r.status_code == 400
    assert list(r.json()["error"]["fields"]) == ["max_travel_km"]

    with pytest.raises(IntegrityError), transaction.atomic():
        ParticipationAssessment.objects.filter(pk=sheet.pk).update(max_hours_per_session=-1)


def test_negative_hours_on_the_resource_are_refused_at_the_field(client, w):
    resource = ResourceFactory(name="資源A")
    client.force_login(w.worker)
    url = reverse("participation:resource", args=[resource.public_id])
    r = client.post(url, {"activities": ["farming"], "hours_per_session": "-2"})
    assert r.status_code == 200
    body = r.content.decode()
    assert "0 以上でなければなりません" in _field_error(body, "id_hours_per_session")
    assert 'value="-2"' in body
    assert not ResourceProfile.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        ResourceProfile.objects.create(resource=resource, hours_per_session=-2)


# --- 4. a version is not dated before the previous one -------------------------------------------


def test_a_version_dated_before_the_previous_one_is_refused(client, w, sheet):
    first_on = TODAY - dt.timedelta(days=5)
    svc.assessment_update(
        assessment=sheet, actor=w.worker, lock_version=2, data={"assessed_on": first_on}
    )
    second = svc.assessment_create(case=w.case, person=w.person, actor=w.worker)
    before = first_on - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        svc.assessment_update(
            assessment=second, actor=w.worker, lock_version=1, data={"assessed_on": before}
        )
    assert format_date(first_on) in exc.value.message_dict["assessed_on"][0]

    client.force_login(w.worker)
    url = reverse("participation:assessment_edit", args=[second.public_id])
    r = client.post(url, _sheet_post(second, assessed_on=before.isoformat()))
    assert r.status_code == 200
    error = _field_error(r.content.decode(), "id_assessed_on")
    assert f"前の版のアセスメント日({format_date(first_on)})より前の日付にはできません。" in error

    api = f"/api/v1/participation/assessments/{second.public_id}/"
    r = client.patch(
        api,
        {"lock_version": 1, "assessed_on": before.isoformat()},
        content_type="application/json",
    )
    assert r.status_code == 400 and "assessed_on" in r.json()["error"]["fields"]
    # the previous version's own day is fine
    r = client.patch(
        api,
        {"lock_version": 1, "assessed_on": first_on.isoformat()},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    second.refresh_from_db()
    assert second.assessed_on == first_on


# --- 5. every candidate of the matching is reachable ---------------------------------------------


def test_the_matching_list_pages_through_every_candidate(
    client, w, sheet, django_assert_max_num_queries
):
    total = MATCH_LIMIT * 2 + 9
    made = {
        str(r.public_id)
        for r in (
            ResourceFactory(name=f"資源{i:03d}", interest_tags=["農作業"], capacity=5)
            for i in range(total)
        )
    }
    client.force_login(w.worker)
    url = reverse("participation:match", args=[sheet.public_id])
    client.get(url)  # the first request of a session costs more
    seen, sizes = set(), []
    for page in (1, 2, 3):
        with django_assert_max_num_queries(40) as ctx:
            body = client.get(f"{url}?interest=2&page={page}").content.decode()
        if page == 1:
            first_cost = len(ctx.captured_queries)
        else:
            assert len(ctx.captured_queries) <= first_cost
        assert f"候補 {total} 件" in body
        keys = re.findall(r'<li class="card match" data-resource="([^"]+)"', body)
        sizes.append(len(keys))
        seen.update(keys)
        assert f"全{total}件" in body  # the pager
    assert sizes == [MATCH_LIMIT, MATCH_LIMIT, 9]
    assert seen == made
    assert 'rel="next"' in client.get(url + "?interest=2").content.decode()


# --- 6. dates in the house style ---------------------------------------------------------------


def test_placement_and_gap_tables_print_dates_in_the_house_style(client, w, sheet, placement):
    p = ps.placement_move(placement=placement, actor=w.worker, to="trial", on=PROPOSED)
    day = PROPOSED + dt.timedelta(days=1)
    ps.activity_record(placement=p, actor=w.worker, days=[day], hours=2)
    ps.follow_up_record(placement=p, actor=w.worker, target="host", kind="phone", on=day)
    gap = ps.gap_record(actor=w.worker, assessment=sheet, title="夜に通える居場所")
    client.force_login(w.worker)
    body = client.get(reverse("participation:placement", args=[p.public_id])).content.decode()
    assert body.count(f'<td><time class="date" datetime="{day.isoformat()}">') == 2
    assert wareki(day, style="short") not in body
    body = client.get(reverse("participation:gap_list")).content.decode()
    assert f'<td><time class="date" datetime="{gap.recorded_on.isoformat()}">' in body
    assert wareki(gap.recorded_on, style="short") not in body
