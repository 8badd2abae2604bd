import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from community import selectors
from community.models import (
    Agreement,
    AreaShape,
    CommunityIssue,
    PlaceConcern,
    Program,
    Resource,
    Session,
    Volunteer,
    VolunteerActivity,
    VolunteerTraining,
)


@pytest.mark.django_db
def test_demo_city_has_a_year_of_community_work():
    call_command("seed_demo")
    places = Resource.objects.places()
    # Community's 40 places; the participation demo adds its own work destinations and places.
    assert places.count() >= 40
    assert set(places.values_list("area__code", flat=True)) == {"north", "central", "south"}
    today = timezone.localdate()
    months = {
        (d.year, d.month)
        for d in Session.objects.filter(
            held_on__gte=today.replace(year=today.year - 1)
        ).values_list("held_on", flat=True)
    }
    assert len(months) >= 12
    assert Volunteer.objects.count() == 60
    assert Program.objects.filter(kind="platform").count() == 2
    course = Program.objects.get(name="子ども食堂を作ろう")
    assert course.created_resources.filter(kind="shokudo").count() == 2
    assert course.sessions.order_by("held_on").first().participants == 70
    assert Agreement.objects.in_force().count() >= 3
    assert CommunityIssue.objects.filter(created_resources__isnull=False).exists()
    assert AreaShape.objects.count() == 9
    assert PlaceConcern.objects.exists()
    rows = selectors.area_figures(
        level="sphere", start=today.replace(day=1, year=today.year - 1), end=today
    )
    assert all(r.places and r.sessions for r in rows)
    # The demo keeps the rules a user is held to: nothing before its place's 開始日 or its
    # volunteer's 登録日, no 終了 without 終了日, one tally a place a day.
    assert not Session.objects.filter(held_on__lt=F("resource__start_date")).exists()
    assert not VolunteerTraining.objects.filter(taken_on__lt=F("volunteer__registered_on")).exists()
    assert not VolunteerActivity.objects.filter(done_on__lt=F("volunteer__registered_on")).exists()
    assert not Resource.objects.filter(status="closed", end_date__isnull=True).exists()
