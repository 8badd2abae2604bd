from .api import intake, persons, support, transfer

urlpatterns = [
    *persons.router.urls,
    *intake.router.urls,
    *support.router.urls,
    *transfer.router.urls,
]
