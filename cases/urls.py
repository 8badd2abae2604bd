from . import urls_intake, urls_persons, urls_support

app_name = "cases"

# One module per area of the flow; each owns its patterns.
urlpatterns = [*urls_persons.urlpatterns, *urls_intake.urlpatterns, *urls_support.urlpatterns]
