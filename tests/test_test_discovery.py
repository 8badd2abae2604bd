"""Every project app's own tests are collected by `make test` and CI.

`testpaths` in pyproject.toml lists the folders pytest walks; an app added to INSTALLED_APPS
with a `tests/` package but missing there would have its tests silently never run (the outbox and
retention apps were, until this test).
"""

import tomllib
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def test_every_project_app_with_tests_is_in_testpaths():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    testpaths = set(config["tool"]["pytest"]["ini_options"]["testpaths"])
    project_apps = [
        Path(app.path)
        for app in apps.get_app_configs()
        if Path(app.path).is_relative_to(ROOT) and ".venv" not in Path(app.path).parts
    ]
    with_tests = {p.relative_to(ROOT).parts[0] for p in project_apps if (p / "tests").is_dir()}
    assert with_tests, "no project app found: the test would pass vacuously"
    assert with_tests <= testpaths, (
        f"apps whose tests pytest never collects: {with_tests - testpaths}"
    )
