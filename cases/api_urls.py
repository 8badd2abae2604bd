from .api import intake, persons, support

urlpatterns = [*persons.router.urls, *intake.router.urls, *support.router.urls]
