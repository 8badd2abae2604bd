from meetings.tests.conftest import (  # noqa: F401 - the small city of the meeting tests
    city,
    coordinator,
    partner,
    partner_worker,
    shien,
    stranger,
    supervisor,
)
