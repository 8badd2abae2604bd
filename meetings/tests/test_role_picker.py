"""The 担当者 of a role agreed at a meeting is picked among the chosen agency's care staff."""

import pytest

from agencies.choices import Role
from agencies.tests.factories import staff
from meetings.forms import RoleForm

pytestmark = pytest.mark.django_db


def _data(agency, **extra):
    return {"owner_agency": agency.pk, "task": "見守り", "due_on": "2026-12-24", **extra}


def test_role_owner_is_a_combobox_of_the_chosen_agency(city):
    html = RoleForm(prefix="roles-0").as_div()
    assert 'role="combobox"' in html
    assert 'data-depends="roles-0-owner_agency"' in html and 'data-depends-param="agency"' in html


def test_role_owner_must_be_care_staff_of_the_chosen_agency(city, partner, partner_worker):
    resident = staff(city, Role.RESIDENT)
    for user in (partner_worker, resident):
        form = RoleForm(_data(city, owner_user=str(user.pk)))
        assert not form.is_valid()
        assert "owner_user" in form.errors
    form = RoleForm(_data(partner, owner_user=str(partner_worker.pk)))
    assert form.is_valid(), form.errors


def test_role_owner_typed_without_javascript(partner, partner_worker):
    partner_worker.display_name, partner_worker.kana = "高橋 純", "たかはし じゅん"
    partner_worker.save()
    form = RoleForm(_data(partner, owner_user_text="タカハシ"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["owner_user"] == partner_worker
