# The reports' fixture city (built once per module): a year of records through the services.
from reports.tests.conftest import city, city_db  # noqa: F401
