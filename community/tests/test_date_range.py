"""Every date of the community forms is read by the product's one parser: a date outside the
years the system knows (1868–2100) is refused at the field in Japanese and nothing is saved
(year 1 was saved and shown as 「1年1月1日」)."""

import pytest
from django.urls import reverse

from cases.tests.factories import login_verified
from community import forms as cf
from community import services_activity as sa
from community.models import CommunityIssue, IssueAction

OUT_OF_RANGE = "1868年から2100年までの日付を入力してください。"


@pytest.mark.parametrize("raised_on", ["0001-01-01", "9999-12-31"])
def test_an_issue_raised_out_of_range_is_refused_at_the_field(client, w, raised_on):
    login_verified(client, w.csw)
    response = client.post(
        reverse("community:issue_create"),
        {
            "title": "買い物の足がない",
            "source": "other",
            "area": w.north.pk,
            "owner_agency": w.shakyo.pk,
            "raised_on": raised_on,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["raised_on"] == [OUT_OF_RANGE]
    assert 'id="id_raised_on_error"' in response.content.decode()
    assert not CommunityIssue.objects.exists()


@pytest.mark.parametrize("starts_on", ["0001-01-01", "9999-12-31"])
def test_an_issue_action_out_of_range_is_refused_at_the_field(client, w, starts_on):
    issue = sa.community_issue_raise(
        actor=w.csw, title="買い物の足がない", area=w.north, owner_agency=w.shakyo
    )
    login_verified(client, w.csw)
    response = client.post(
        reverse("community:issue_action_create", args=[issue.public_id]),
        {
            "title": "移動販売の相談",
            "owner_agency": w.shakyo.pk,
            "starts_on": starts_on,
            "due_on": "9999-12-31",
        },
    )
    assert response.status_code == 200
    form = response.context["action_form"]
    assert form.errors["starts_on"] == [OUT_OF_RANGE]
    assert form.errors["due_on"] == [OUT_OF_RANGE]
    assert 'id="id_starts_on_error"' in response.content.decode()
    assert not IssueAction.objects.exists()


DATE_FIELDS = [
    (cf.ResourceForm, ["start_date", "end_date"]),
    (cf.SessionForm, ["held_on"]),
    (cf.VolunteerForm, ["registered_on", "path_consent_on"]),
    (cf.TrainingForm, ["taken_on"]),
    (cf.ActivityForm, ["done_on"]),
    (cf.ProgramForm, ["started_on"]),
    (cf.ProgramSessionForm, ["held_on"]),
    (cf.IssueForm, ["raised_on"]),
    (cf.IssueActionForm, ["starts_on", "due_on"]),
    (cf.AgreementForm, ["signed_on", "ends_on"]),
]


@pytest.mark.parametrize(("form_class", "names"), DATE_FIELDS)
def test_every_community_date_field_refuses_year_1(db, form_class, names):
    form = form_class({name: "0001-01-01" for name in names})
    form.is_valid()
    for name in names:
        assert form.errors[name] == [OUT_OF_RANGE]
    good = form_class({name: "2026-04-01" for name in names})
    good.is_valid()
    assert not any(name in good.errors for name in names)


def test_every_date_field_of_the_community_forms_is_checked():
    """A date field added later without the range check fails here."""
    from django import forms as dj

    for form_class in (v for v in vars(cf).values() if isinstance(v, type)):
        if issubclass(form_class, dj.BaseForm) and form_class not in (dj.Form, dj.ModelForm):
            for name, field in form_class.base_fields.items():
                if isinstance(field, dj.DateField):
                    assert isinstance(field, cf.DateField), (form_class.__name__, name)
