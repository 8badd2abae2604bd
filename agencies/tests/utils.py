"""Test helpers for the agencies and audit tests."""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def login_as(client, user):
    """Log `user` in; users who need two-factor get a device and a verified session."""
    client.force_login(user)
    if user.requires_2fa():
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def issue_token(user, name: str = "test") -> str:
    """A named API token for `user` (as if issued on their account page); returns the key."""
    from agencies.tokens import api_token_issue

    return api_token_issue(user=user, actor=user, name=name)[1]


def _counts(captured) -> tuple[int, int]:
    sql = [q["sql"] for q in captured]
    counts = sum(s.lstrip().startswith("SELECT COUNT(*)") for s in sql)
    return len(sql) - counts, counts


def assert_longer_list_costs_a_count_at_most(short, long):
    """`long` (a list of more than one page) ran the queries of `short` (a list that fits on its
    page) and at most one COUNT more: a list that fits is not counted
    (agencies.paging.FirstPageCountingPaginator), nothing else may grow with the rows."""
    (short_other, short_counts), (long_other, long_counts) = _counts(short), _counts(long)
    assert long_other == short_other, (short_other, long_other)
    assert short_counts <= long_counts <= short_counts + 1, (short_counts, long_counts)
