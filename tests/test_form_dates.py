"""Every date a form takes is read by the product's one parser (agencies.forms.DateField): a
year outside 1868–2100 (0001-01-01, 9999-12-31) or an impossible date is a Japanese error at
the field. A plain forms.DateField took year 1, which overflowed the date arithmetic of the
pages that then showed the record, or printed as 「1年1月1日」."""

import importlib
import pkgutil

from django import forms
from django.apps import apps
from django.conf import settings

from agencies.forms import DateField


def _project_forms():
    for config in apps.get_app_configs():
        if not config.path.startswith(str(settings.BASE_DIR)) or "/.venv/" in config.path:
            continue
        package = importlib.import_module(config.name)
        for info in pkgutil.walk_packages(package.__path__, f"{config.name}."):
            if ".tests" in info.name or ".migrations" in info.name or "forms" not in info.name:
                continue
            importlib.import_module(info.name)
    seen, stack = set(), [forms.BaseForm]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
    root = str(settings.BASE_DIR)
    for cls in seen:
        module = importlib.import_module(cls.__module__)
        path = getattr(module, "__file__", "") or ""
        if path.startswith(root) and "/.venv/" not in path and ".tests" not in cls.__module__:
            yield cls


def test_every_date_field_of_every_form_is_read_by_the_products_parser():
    plain = sorted(
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in _project_forms()
        for name, field in getattr(cls, "base_fields", {}).items()
        if isinstance(field, forms.DateField)
        and not isinstance(field, (forms.DateTimeField, DateField))
    )
    assert plain == []


def test_the_field_refuses_a_year_outside_the_calendar_it_knows():
    field = DateField()
    for value in ("0001-01-01", "9999-12-31", "2026-02-30"):
        try:
            field.clean(value)
        except forms.ValidationError as exc:
            assert exc.messages and all(m.isascii() is False for m in exc.messages)
        else:
            raise AssertionError(f"{value} accepted")
    assert str(field.clean("2026-12-08")) == "2026-12-08"
