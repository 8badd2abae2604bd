import pytest
from django.core.management import call_command

from notifications.models import Notification, Reminder


@pytest.mark.django_db
def test_demo_city_has_notifications_after_seeding():
    call_command("seed_demo")
    assert Notification.objects.exists()
    assert Reminder.objects.filter(resolved_at__isnull=True).exists()
    # Nothing in a title names a person of the demo city.
    from cases.models import Person

    names = {p.family_name + p.given_name for p in Person.objects.all()}
    assert not any(name in n.title for n in Notification.objects.all() for name in names)
