"""The matching page, the catalogue and the resource page: reasons shown, weights and exclusions,
proposing, query-count guards, permissions; and the API of matching, placements and gaps."""

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.choices import Role
from agencies.tests.factories import AgencyFactory, staff
from cases.tests.factories import login_verified
from community.tests.factories import ResourceFactory
from participation import services as svc
from participation.models import Placement, ResourceProfile

from .factories import participation_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return participation_world()


@pytest.fixture
def sheet(w):
    a = svc.assessment_create(case=w.case, person=w.person, actor=w.worker)
    return svc.assessment_update(
        assessment=a,
        actor=w.worker,
        lock_version=1,
        data={"interests": ["farming"], "withdrawal": True, "home_lat": 35.70, "home_lng": 139.50},
    )


def make_resources(n, start=0):
    return [
        ResourceFactory(
            name=f"資源{start + i:03d}",
            interest_tags=["農作業"] if i % 3 == 0 else ["料理"],
            host_experience=["withdrawal"] if i % 2 else [],
            latitude="35.710000",
            longitude="139.500000",
            capacity=5,
        )
        for i in range(n)
    ]


def test_match_page_ranks_with_reasons_and_proposes(client, w, sheet):
    farm, *_ = make_resources(4)
    ResourceProfile.objects.create(resource=farm, activities=["farming"], days=[1, 3])
    client.force_login(w.worker)
    url = reverse("participation:match", args=[sheet.public_id])
    body = client.get(url).content.decode()
    assert "合う理由" in body and "関心「農作業」に合う活動がある" in body
    assert body.index("資源000") < body.index("資源001")
    # exclude the first; weights in the query string
    body = client.get(url + f"?x={farm.public_id}&interest=0").content.decode()
    assert "除外した候補" in body
    r = client.post(
        reverse("participation:propose", args=[sheet.public_id]),
        {"resource": str(farm.public_id), "role": "user", "activity": "畑の草取り"},
    )
    assert r.status_code == 302
    p = Placement.objects.get()
    assert p.resource == farm and p.match_reasons["reasons_for"] and p.activity == "畑の草取り"
    assert "提案・参加中" in client.get(url).content.decode()


def test_match_page_query_count_does_not_grow_with_the_catalogue(
    client, w, sheet, django_assert_max_num_queries
):
    make_resources(5)
    client.force_login(w.worker)
    url = reverse("participation:match", args=[sheet.public_id])
    with django_assert_max_num_queries(40) as small:
        assert client.get(url).status_code == 200
    for r in make_resources(40, start=5)[:10]:
        ResourceProfile.objects.create(resource=r, activities=["farming"])
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url + "?all=1").status_code == 200


def test_catalogue_query_count_and_filters(client, w, django_assert_max_num_queries):
    make_resources(5)
    client.force_login(w.worker)
    url = reverse("participation:catalogue")
    with django_assert_max_num_queries(25) as small:
        assert client.get(url).status_code == 200
    make_resources(30, start=5)
    with django_assert_max_num_queries(len(small.captured_queries)):
        body = client.get(url).content.decode()
    assert body.count("/participation/resources/") >= 35
    body = client.get(url + "?interest=farming&space=on").content.decode()
    assert "資源000" in body and "資源001" not in body


def test_catalogue_for_every_professional_not_for_residents(client, w):
    make_resources(1)
    url = reverse("participation:catalogue")
    for user in (w.worker, w.outsider):
        client.force_login(user)
        assert client.get(url).status_code == 200
    login_verified(client, w.admin)
    assert client.get(url).status_code == 200
    client.force_login(staff(AgencyFactory(), Role.RESIDENT))
    assert client.get(url).status_code == 403


def test_match_page_permissions(client, w, sheet):
    url = reverse("participation:match", args=[sheet.public_id])
    client.force_login(w.sanka_colleague)
    assert client.get(url).status_code == 200
    client.force_login(w.outsider)
    assert client.get(url).status_code == 404
    login_verified(client, w.admin)
    assert client.get(url).status_code == 404


def test_resource_profile_is_edited_by_participation_staff(client, w):
    r = make_resources(1)[0]
    url = reverse("participation:resource", args=[r.public_id])
    client.force_login(w.worker)
    resp = client.post(
        url,
        {
            "activities": ["farming", "gardening"],
            "days": ["1", "3"],
            "opens": "09:00",
            "closes": "12:00",
            "bus_lines": "北部循環、中央線",
            "physical": "heavy",
            "accepts_users": "on",
        },
    )
    assert resp.status_code == 302
    profile = ResourceProfile.objects.get(resource=r)
    assert profile.days == [1, 3] and profile.physical == "heavy"
    resp = client.post(url, {"activities": ["farming"], "opens": "12:00", "closes": "09:00"})
    assert "終わりの時刻は始まりの時刻より後にしてください。" in resp.content.decode()
    caseworker = staff(AgencyFactory(), Role.CASEWORKER)
    client.force_login(caseworker)
    assert client.get(url).status_code == 200
    assert client.post(url, {"activities": ["farming"]}).status_code == 403


def test_api_matching_propose_move_activity_follow_up_and_gap(client, w, sheet):
    farm = make_resources(3)[0]
    client.force_login(w.worker)
    r = client.get(f"/api/v1/participation/matches/{sheet.public_id}/?distance=2&limit=2")
    assert r.status_code == 200, r.content
    rows = r.json()
    assert len(rows) == 2 and rows[0]["reasons_for"] and "occupied" in rows[0]
    r = client.post(
        "/api/v1/participation/placements/",
        {"assessment": str(sheet.public_id), "resource": str(farm.public_id)},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    pid = r.json()["public_id"]
    base = f"/api/v1/participation/placements/{pid}/"
    r = client.post(base + "move/", {"to": "trial"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "trial"
    r = client.post(base + "move/", {"to": "ended"}, content_type="application/json")
    assert r.status_code == 400 and "outcome" in str(r.json())
    r = client.post(
        base + "activity/",
        {"days": [timezone.localdate().isoformat()], "hours": "2"},
        content_type="application/json",
    )
    assert r.status_code == 200
    r = client.post(
        base + "follow-ups/", {"target": "host", "kind": "consult"}, content_type="application/json"
    )
    assert r.status_code == 201
    assert (
        client.get(f"/api/v1/participation/placements/?case={w.case.public_id}").status_code == 200
    )
    r = client.post(
        "/api/v1/participation/gaps/",
        {"assessment": str(sheet.public_id), "title": "夜に通える居場所がない"},
        content_type="application/json",
    )
    assert r.status_code == 201
    gid = r.json()["public_id"]
    r = client.post(f"/api/v1/participation/gaps/{gid}/raise-issue/")
    assert r.status_code == 200 and r.json()["community_issue"]
    assert client.get("/api/v1/participation/resources/").status_code == 200
    # outsider and admin: 404 on the person's records, bad ids are 404 not 500
    client.force_login(w.outsider)
    assert client.get(f"/api/v1/participation/matches/{sheet.public_id}/").status_code == 404
    assert client.get(base).status_code == 404
    assert (
        client.post(base + "move/", {"to": "active"}, content_type="application/json").status_code
        == 404
    )
    assert client.get("/api/v1/participation/matches/not-a-uuid/").status_code == 404
    login_verified(client, w.admin)
    assert client.get(base).status_code == 404


def _alert_above_the_list(body: str) -> str:
    """The error block between the page's header and the candidates' list."""
    start = body.rindex("<div", 0, body.index('data-testid="propose-errors"'))
    assert start < body.index('data-testid="match-results"')
    return body[start : body.index("</div>", start)]


def test_refused_proposal_of_a_candidate_in_progress_shows_the_error_above_the_list(
    client, w, sheet
):
    """The candidate already proposed shows 「提案・参加中」, not its form: the refusal of a
    second proposal (a stale page, another tab) is shown above the list, not swallowed."""
    farm, *_ = make_resources(2)
    client.force_login(w.worker)
    url = reverse("participation:match", args=[sheet.public_id])
    data = {"resource": str(farm.public_id), "role": "user", "activity": ""}
    assert client.post(url, data).status_code == 302
    r = client.post(url, data)
    assert r.status_code == 400
    body = r.content.decode()
    alert = _alert_above_the_list(body)
    assert 'role="alert"' in alert and 'class="form-errors"' in alert
    assert "この本人とこの参加先の組み合わせはすでに進行中です。" in alert
    assert body.count("この本人とこの参加先の組み合わせはすでに進行中です。") == 1
    assert Placement.objects.count() == 1


def test_refused_proposal_with_no_candidate_form_shows_the_error_above_the_list(client, w, sheet):
    make_resources(2)
    client.force_login(w.worker)
    url = reverse("participation:match", args=[sheet.public_id])
    r = client.post(url, {"resource": "not-a-uuid", "role": "user"})
    assert r.status_code == 400
    assert "UUID" in _alert_above_the_list(r.content.decode())
    assert not Placement.objects.exists()
