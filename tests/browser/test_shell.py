"""The UI shell's JavaScript in a real browser: skip link, double-submit guard, wide tables,
session-expiry notice."""

import re

import pytest
from playwright.sync_api import expect

from agencies.choices import Role
from agencies.tests.factories import AgencyFactory, staff

PASSWORD = "Correct-Horse-42"  # UserFactory's password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("ログインID").fill(user.username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(f"{live_server.url}/")


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page, live_server):
    page.goto(f"{live_server.url}/accounts/password/reset/")  # a page without autofocus
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="本文へ移動")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


def test_second_submit_while_the_form_is_being_sent_is_blocked(page, live_server):
    page.goto(f"{live_server.url}/accounts/password/reset/")
    # A listener on window runs after tsunagu.js's guard on document: it records whether the
    # guard let each submission through, then stops the navigation so the page stays.
    result = page.evaluate(
        """async () => {
        const form = document.createElement('form');
        form.method = 'post';
        form.innerHTML = '<button type="submit" name="action" value="save">保存</button>';
        document.querySelector('main').appendChild(form);
        const seen = [];
        window.addEventListener('submit', (e) => { seen.push(e.defaultPrevented); e.preventDefault(); });
        const button = form.querySelector('button');
        form.requestSubmit(button);
        await new Promise((r) => setTimeout(r, 50));
        const disabledAfterFirst = button.disabled;
        form.requestSubmit();
        return {seen, disabledAfterFirst};
    }"""
    )
    assert result == {"seen": [False, True], "disabledAfterFirst": True}


def test_confirm_dialog_cancels_the_submission(page, live_server):
    page.goto(f"{live_server.url}/accounts/password/reset/")
    messages = []
    page.on("dialog", lambda dialog: (messages.append(dialog.message), dialog.dismiss()))
    result = page.evaluate(
        """async () => {
        const form = document.createElement('form');
        form.method = 'post';
        form.innerHTML = '<button type="submit" data-confirm="削除しますか？">削除</button>';
        document.querySelector('main').appendChild(form);
        let submitted = false;
        window.addEventListener('submit', (e) => { submitted = !e.defaultPrevented; e.preventDefault(); });
        form.querySelector('button').click();
        await new Promise((r) => setTimeout(r, 50));
        return {submitted, disabled: form.querySelector('button').disabled};
    }"""
    )
    assert messages == ["削除しますか？"]
    assert result == {"submitted": False, "disabled": False}


def test_wide_tables_scroll_inside_a_labelled_focusable_region(page, live_server):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate(
        """() => {
        const box = document.createElement('div');
        const html = '<table class="table"><caption>相談一覧</caption><tr>' +
            '<td>受付番号</td>'.repeat(12) + '</tr></table>';
        document.querySelector('main').appendChild(box);
        htmx.swap(box, html, {swapStyle: 'innerHTML'});
    }"""
    )
    region = page.get_by_role("region", name="相談一覧")
    expect(region).to_have_attribute("tabindex", "0")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_session_notice_appears_before_expiry_and_extends_the_session(page, live_server, settings):
    settings.SESSION_COOKIE_AGE = 125  # the notice shows 2 minutes before: after 5 s
    _log_in(page, live_server, staff(AgencyFactory(), Role.CASEWORKER))
    page.goto(f"{live_server.url}/accounts/password/change/")
    notice = page.locator("#session-notice")
    expect(notice).to_be_hidden()
    expect(notice).to_be_visible(timeout=10_000)
    extend = notice.get_by_role("button", name="ログインを延長する")
    expect(extend).to_be_focused()
    with page.expect_response(re.compile(r".*/healthz$")) as response:
        extend.click()
    assert response.value.status == 200
    expect(notice).to_be_hidden()
