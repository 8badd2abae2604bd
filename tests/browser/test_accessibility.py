"""Accessibility of the main pages, checked by axe-core (vendored: vendor/README.md) in a real
browser on the demo city: no critical, serious or moderate violation on any of them (WCAG 2.1
AA and axe's best practices: contrast, labels, landmarks, heading order, names of links and
buttons …).

Each demo role signs in once in its own browser context and walks its pages; a detail page is
the first one of its kind linked from the list the user sees (or, for the support case, a case
of the user's with all three sheets), so the pages carry real demo content."""

import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
REPORTED = ("critical", "serious", "moderate")

# Every stylesheet the page links has loaded: without them axe would judge the contrast of the
# browser's default black on white.
STYLES_LOADED = """() => Array.from(document.querySelectorAll('link[rel=stylesheet]'))
  .every(link => link.sheet !== null && link.sheet.cssRules.length > 0)"""

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
    count: v.nodes.length,
  }));
}"""


def _otp_code(user) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def _sign_in(page, base: str, username: str) -> None:
    from agencies.models import User

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("ログインID").fill(username)
    page.get_by_label("パスワード").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_load_state()
    if "/accounts/2fa/verify/" in page.url:
        page.get_by_label("確認コード").fill(_otp_code(User.objects.get(username=username)))
        page.get_by_role("button", name="確認").click()
        page.wait_for_load_state()
    assert "/accounts/" not in page.url, f"{username} could not sign in ({page.url})"


def _first_link(page, pattern: str) -> str:
    """The first link on the page whose path matches `pattern` (what the user would click)."""
    hrefs = page.evaluate("() => Array.from(document.querySelectorAll('a[href]'), a => a.href)")
    for href in hrefs:
        path = re.sub(r"^https?://[^/]+", "", href).split("#")[0]
        if re.fullmatch(pattern, path):
            return path
    raise AssertionError(f"no link matching {pattern} on {page.url}")


def _case_with_sheets(username: str) -> dict[str, str]:
    """A case the user sees with an assessment, a plan and an evaluation: its pages, its
    principal's page, and the person search by its case number."""
    from agencies.models import User
    from cases.selectors.support import cases_visible_to

    user = User.objects.get(username=username)
    case = (
        cases_visible_to(user)
        .filter(
            assessments__isnull=False,
            plans__isnull=False,
            evaluations__isnull=False,
            principal__isnull=False,
        )
        .order_by("-fiscal_year", "number")  # this year's: its household is still shared
        .distinct()
        .first()
    )
    assert case is not None, f"the demo data has no case with all sheets for {username}"
    base = f"/cases/support/{case.public_id}/"
    return {
        "case": base,
        "assessment": f"{base}assessments/{case.assessments.order_by('number').first().number}/",
        "plan": f"{base}plans/{case.plans.order_by('number').first().number}/",
        "evaluation": f"{base}evaluations/{case.evaluations.order_by('number').first().number}/",
        "person": f"/cases/persons/{case.principal.public_id}/",
        "search": f"/cases/persons/?case_number={case.number}",
    }


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 720}


class Walk:
    """One role's browser context: visit a path, run axe, keep the violations, and measure the
    page at a phone's width."""

    def __init__(self, browser, base: str, username: str | None):
        self.context = browser.new_context(
            viewport=DESKTOP,
            locale="ja-JP",
            timezone_id="Asia/Tokyo",
            # The app's content security policy forbids inline scripts, which is how Playwright
            # injects axe; only the test's own script is let through.
            bypass_csp=True,
        )
        self.page = self.context.new_page()
        self.base = base
        self.username = username or "(anonymous)"
        if username:
            _sign_in(self.page, base, username)
        self.visited: list[str] = []
        self.violations: list[str] = []
        self.too_wide: list[str] = []

    def check(self, path: str, *, ready: str | None = None) -> None:
        response = self.page.goto(f"{self.base}{path}")
        assert response is not None and response.status == 200, (self.username, path)
        if ready:
            self.page.locator(ready).first.wait_for(timeout=60_000)
        assert self.page.evaluate(STYLES_LOADED), (self.username, path, "stylesheet missing")
        self.page.add_script_tag(path=str(AXE))
        for v in self.page.evaluate(RUN_AXE):
            if v["impact"] in REPORTED:
                self.violations.append(
                    f"{self.username} {path}: [{v['impact']}] {v['id']} — {v['help']} "
                    f"({v['count']}×: {'; '.join(v['targets'])})"
                )
        # WCAG 1.4.10 reflow: at a phone's width (390 px) the page is no wider than the screen
        # (wide tables scroll inside their own region).
        self.page.set_viewport_size(PHONE)
        width = self.page.evaluate("() => document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            self.too_wide.append(f"{self.username} {path}: {width} px at {PHONE['width']} px")
        self.page.set_viewport_size(DESKTOP)
        self.visited.append(path)

    def follow(self, list_path: str, pattern: str) -> str:
        """Open the list, then check the first detail page it links to."""
        if self.page.url != f"{self.base}{list_path}":
            self.page.goto(f"{self.base}{list_path}")
        path = _first_link(self.page, pattern)
        self.check(path)
        return path

    def close(self) -> None:
        self.context.close()


def walk_main_pages(browser, base: str) -> list[Walk]:
    uuid = r"[0-9a-f-]{36}"
    walks = []

    anonymous = Walk(browser, base, None)
    anonymous.check("/accounts/login/")
    walks.append(anonymous)

    # 地域包括支援センターの相談員: persons, intake, つなぐシート, the support case and its sheets.
    worker = Walk(browser, base, "houkatsu-n1")
    sheets = _case_with_sheets("houkatsu-n1")
    worker.check("/")
    worker.check(sheets["search"])
    worker.check(sheets["person"])
    worker.follow(sheets["person"], rf"/cases/households/{uuid}/")
    worker.check("/cases/consultations/")
    worker.follow("/cases/consultations/", rf"/cases/consultations/{uuid}/")
    worker.check("/cases/consultations/new/")
    worker.check("/cases/referrals/sent/")
    worker.check("/cases/referrals/new/")
    worker.check("/cases/support/")
    for key in ("case", "assessment", "plan", "evaluation"):
        worker.check(sheets[key])
    worker.check("/notifications/")
    worker.check("/api/docs/", ready="#swagger-ui .opblock")
    walks.append(worker)

    # 相談支援包括化推進員 (市): the つなぐシート inbox and the meetings.
    coordinator = Walk(browser, base, "suishin1")
    coordinator.check("/")
    coordinator.check("/cases/referrals/inbox/")
    coordinator.follow("/cases/referrals/inbox/", rf"/cases/referrals/{uuid}/")
    coordinator.check("/meetings/")
    coordinator.check("/meetings/all/")
    coordinator.follow("/meetings/all/", rf"/meetings/m/{uuid}/")
    for view in ("", "?view=week", "?view=list"):
        coordinator.check(f"/meetings/calendar/{view}")
    coordinator.check("/meetings/roles/")
    coordinator.check("/notifications/preferences/")
    coordinator.check("/accounts/security/")
    walks.append(coordinator)

    # CSW (社協): アウトリーチ and 地域づくり.
    csw = Walk(browser, base, "csw-north")
    csw.check("/")
    csw.check("/outreach/")
    csw.follow("/outreach/", rf"/outreach/{uuid}/")
    csw.check("/outreach/visits/")
    csw.check("/community/")
    csw.check("/community/issues/")
    csw.check("/community/places/")
    csw.follow("/community/places/", r"/community/places/[^/]+/(?<!/new/)")
    walks.append(csw)

    # 参加支援の担当: matching a person to the resources.
    sanka = Walk(browser, base, "sanka1")
    sanka.check("/")
    sanka.check("/participation/")
    sanka.follow("/participation/", rf"/participation/cases/{uuid}/")
    sanka.follow(sanka.visited[-1], rf"/participation/assessments/{uuid}/match/")
    sanka.check("/participation/resources/")
    walks.append(sanka)

    # 民生委員: the dashboard and the 気づきシート.
    minsei = Walk(browser, base, "minsei1")
    minsei.check("/")
    minsei.check("/community/kizuki/new/")
    walks.append(minsei)

    # 係長 (two-factor): the supervisor's dashboard (approvals, overdue work).
    supervisor = Walk(browser, base, "kakaricho")
    supervisor.check("/")
    walks.append(supervisor)

    # 管理者 (two-factor): reports, audit log, staff administration.
    admin = Walk(browser, base, "admin")
    admin.check("/")
    admin.check("/reports/")
    admin.check("/reports/definitions/")
    admin.check("/audit/")
    admin.check("/agencies/admin/")
    admin.check("/agencies/staff/")
    admin.follow("/agencies/staff/", rf"/agencies/staff/{uuid}/")
    admin.check("/agencies/")
    walks.append(admin)
    return walks


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_main_pages_have_no_serious_or_moderate_axe_violation(browser, live_server):
    call_command("seed_demo", verbosity=0)
    walks = walk_main_pages(browser, live_server.url)
    for walk in walks:
        walk.close()
    visited = [(w.username, path) for w in walks for path in w.visited]
    assert len(visited) >= 30, visited
    violations = [v for w in walks for v in w.violations]
    assert not violations, f"{len(violations)} axe violations:\n" + "\n".join(violations)
    too_wide = [t for w in walks for t in w.too_wide]
    assert not too_wide, "wider than a phone's screen:\n" + "\n".join(too_wide)
