"""The UI shell: base layout, static assets, language switch, accessibility basics."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import translation

STATIC = Path(settings.BASE_DIR) / "static"


@pytest.fixture(autouse=True)
def japanese():
    # Requests as an English user activate English in this thread; don't leak it.
    translation.activate("ja")
    yield
    translation.activate("ja")


def _custom_properties(css: str) -> dict[str, str]:
    return dict(re.findall(r"(--[\w-]+)\s*:\s*([^;]+);", css))


def _resolve(name: str, props: dict[str, str]) -> str:
    value = props[name].strip()
    while value.startswith("var("):
        value = props[value[4:-1].strip()].strip()
    return value


def _luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


TEXT_PAIRS = [
    ("--ts-text", "--ts-bg"),
    ("--ts-text", "--ts-bg-subtle"),
    ("--ts-text", "--ts-bg-strong"),
    ("--ts-text-muted", "--ts-bg"),
    ("--ts-text-muted", "--ts-bg-subtle"),
    ("--ts-text-muted", "--ts-bg-strong"),
    ("--ts-link", "--ts-bg"),
    ("--ts-link", "--ts-bg-subtle"),
    ("--ts-link", "--ts-primary-subtle"),
    ("--ts-primary", "--ts-bg"),
    ("--ts-primary", "--ts-primary-subtle"),
    ("--ts-on-primary", "--ts-primary"),
    ("--ts-on-primary", "--ts-primary-strong"),
    ("--ts-on-danger", "--ts-danger"),
    ("--ts-on-danger", "--ts-danger-text"),
    ("--ts-ok-text", "--ts-ok-bg"),
    ("--ts-warn-text", "--ts-warn-bg"),
    ("--ts-danger-text", "--ts-danger-bg"),
    ("--ts-info-text", "--ts-info-bg"),
    ("--ts-neutral-text", "--ts-neutral-bg"),
]


def test_colour_pairs_meet_jis_x_8341_aa_contrast():
    props = _custom_properties((STATIC / "vendor/design-tokens/tokens.css").read_text())
    props.update(_custom_properties((STATIC / "css/tsunagu.css").read_text()))
    for fg, bg in TEXT_PAIRS:
        ratio = _contrast(_resolve(fg, props), _resolve(bg, props))
        assert ratio >= 4.5, f"{fg} on {bg}: {ratio:.2f}"
    # Borders of form controls are UI components: 3:1.
    assert _contrast(_resolve("--ts-border", props), _resolve("--ts-bg", props)) >= 3


def test_static_assets_are_vendored_with_licence_and_no_cdn():
    for path in (
        "css/tsunagu.css",
        "js/tsunagu.js",
        "js/htmx.min.js",
        "vendor/design-tokens/tokens.css",
        "vendor/design-tokens/LICENSE",
        "img/favicon.svg",
    ):
        assert finders.find(path), path
    for path in ("css/tsunagu.css", "js/tsunagu.js"):
        text = (STATIC / path).read_text()
        assert "http://" not in text and "https://" not in text and "@import" not in text
    assert "デジタル庁" in (STATIC / "vendor/design-tokens/LICENSE").read_text()


@pytest.mark.django_db
def test_login_page_has_skip_link_landmarks_and_no_inline_script(client):
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ja">' in html
    assert '<a class="skip-link" href="#main">本文へ移動</a>' in html
    assert '<main id="main"' in html
    assert html.index("design-tokens/tokens.css") < html.index("css/tsunagu.css")
    # CSP forbids inline scripts: every <script> has a src.
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))
    assert "data-session-seconds" not in html  # anonymous: no expiry notice
    assert 'value="en"' in html and "English" in html


@pytest.mark.django_db
def test_dashboard_shell_for_a_caseworker(client, caseworker):
    client.force_login(caseworker)
    response = client.get(reverse("dashboard"))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-session-seconds="{settings.SESSION_COOKIE_AGE}"' in html
    assert f'data-keepalive-url="{reverse("healthz")}"' in html
    assert 'id="session-notice"' in html and "ログインを延長する" in html
    assert f'action="{reverse("logout")}"' in html
    assert 'aria-label="メインメニュー"' in html
    assert "ホーム | つなぐ（" in html


@pytest.mark.django_db
def test_language_switch_shows_the_login_page_in_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in html
    assert "Skip to main content" in html
    assert "Log in" in html and "Login ID" in html


@pytest.mark.django_db
def test_user_language_english_shows_the_dashboard_in_english(client, caseworker):
    caseworker.language = "en"
    caseworker.save(update_fields=["language"])
    client.force_login(caseworker)
    html = client.get(reverse("dashboard")).content.decode()
    assert "What needs you" in html
    assert ">Home<" in html
    assert "Log out" in html


class _SampleForm:
    @staticmethod
    def build(data=None):
        from django import forms

        class SampleForm(forms.Form):
            name = forms.CharField(label="氏名", help_text="戸籍上の氏名")
            route = forms.ChoiceField(
                label="相談経路",
                choices=[("visit", "来所"), ("phone", "電話")],
                widget=forms.RadioSelect,
            )

        return SampleForm(data=data)


def test_form_partial_links_help_and_errors_to_the_field_and_summarises_errors(rf):
    from django.template.loader import render_to_string

    form = _SampleForm.build(data={"name": "", "route": ""})
    assert not form.is_valid()
    html = render_to_string("partials/form.html", {"form": form}, request=rf.get("/"))
    assert 'class="form-errors" role="alert"' in html
    assert "入力内容に誤りがあります" in html
    # The ids Django puts in aria-describedby exist in the page.
    assert 'aria-describedby="id_name_helptext id_name_error"' in html
    assert 'id="id_name_helptext"' in html and 'id="id_name_error"' in html
    assert 'aria-invalid="true"' in html
    assert '<span class="required">必須</span>' in html
    # Radio groups are a fieldset with a legend, not a label pointing at one input.
    assert re.search(r'<fieldset class="field field--error">\s*<legend>相談経路', html)


def test_pager_keeps_filters_and_changes_only_the_page(rf):
    from django.core.paginator import Paginator
    from django.template.loader import render_to_string

    page = Paginator(list(range(120)), 50).page(2)
    request = rf.get("/cases/", {"status": "open", "q": "山田", "page": "2"})
    html = render_to_string("partials/pager.html", {"page_obj": page}, request=request)
    assert 'href="?status=open&amp;q=%E5%B1%B1%E7%94%B0&amp;page=1" rel="prev"' in html
    assert 'href="?status=open&amp;q=%E5%B1%B1%E7%94%B0&amp;page=3" rel="next"' in html
    assert "2 / 3 ページ（全120件）" in html


def test_navigation_links_only_to_pages_the_user_may_open(client, caseworker, admin_user):
    """QA: an admin without a care role saw 対象者 and 包括的相談, both answering 403."""
    from agencies.tests.test_auth import verified_client

    pages = ("cases:person_search", "cases:consultation_list", "cases:case_list", "meetings:index")
    for user in (caseworker, admin_user):
        verified_client(client, user)
        nav = (
            client.get(reverse("dashboard"))
            .content.decode()
            .split('aria-label="メインメニュー"')[1]
        )
        nav = nav.split("</nav>", 1)[0]
        for name in pages:
            url = reverse(name)
            shown = f'href="{url}"' in nav
            assert shown == (client.get(url).status_code == 200), (user.username, name)
    assert 'href="/agencies/admin/"' in nav  # the admin keeps its own entry


def test_toolbar_title_keeps_the_buttons_together():
    """QA: in a toolbar of a title and several buttons, space-between spread the buttons across
    the row (編集 floated mid-page); the title now takes the free space."""
    css = (STATIC / "css" / "tsunagu.css").read_text(encoding="utf-8")
    block = re.search(r"\.toolbar > h1,\s*\.toolbar > h2 \{([^}]*)\}", css).group(1)
    assert "margin-inline-end: auto" in block
