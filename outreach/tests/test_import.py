"""Importing a survey list (市貝町: 210 older residents with low ADL from the 高齢者実態把握調査),
visiting them (206 visited, 41 with a 訪問看護 nurse) and counting exactly."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agencies.choices import Role
from agencies.tests.factories import AreaFactory, staff
from audit.models import AuditEvent
from cases.tests.factories import PersonFactory
from outreach.imports import import_targets
from outreach.models import OutreachContact, OutreachTarget
from outreach.selectors import outreach_counts

from .factories import log_contact

HEADER = "氏名,ふりがな,生年月日,住所,圏域,世帯の状況,担当者\n"


def _rows(n, area_code, csw_username):
    lines = []
    for i in range(n):
        birth = dt.date(1930 + i % 15, 1 + i % 12, 1 + i % 27)
        lines.append(
            f"調査 太郎{i:03d},ちょうさ たろう{i:03d},{birth.isoformat()},大字市塙{i}番地,"
            f"{area_code},独居,{csw_username}\n"
        )
    return lines


def _upload(text, name="survey.csv", encoding="utf-8"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


@pytest.fixture
def north(db):
    return AreaFactory(code="north", name="北部圏域")


def test_dry_run_writes_nothing_and_reports_line_numbers(csw, shakyo, north):
    text = HEADER + "".join(_rows(3, "north", csw.username))
    text += "名無し,,1940-13-40,,north,,\n"  # bad date
    text += ",,,,,,\n"  # blank line: skipped
    text += "山田 一,,,南町,nowhere,,\n"  # unknown area
    report = import_targets(
        actor=csw, agency=shakyo, file=_upload(text), title="高齢者実態把握調査", dry_run=True
    )
    assert not report.ok
    messages = [str(e) for e in report.errors]
    assert any(m.startswith("5行目「生年月日」") for m in messages), messages
    assert any(m.startswith("7行目「圏域」") for m in messages), messages
    assert not OutreachTarget.objects.exists()


def test_cp932_list_imports_and_matches_persons(csw, shakyo, north):
    from agencies.tests.factories import AgencyFactory

    known = PersonFactory(
        family_name="髙橋",
        given_name="花子",
        family_name_kana="たかはし",
        given_name_kana="はなこ",
        birth_date=dt.date(1938, 4, 1),
        registered_by_agency=shakyo,
    )
    elsewhere = PersonFactory(
        family_name="佐藤",
        given_name="一郎",
        birth_date=dt.date(1936, 2, 2),
        registered_by_agency=AgencyFactory(),
    )
    text = HEADER + "高橋 花子,タカハシ ハナコ,昭和13年4月1日,大字杉山1,north,独居,\n"
    text += "佐藤 一郎,,1936/2/2,大字赤羽2,北部圏域,高齢夫婦,\n"
    text += "鈴木 次郎,,1941-03-03,大字田野辺3,north,,\n"
    dry = import_targets(
        actor=csw,
        agency=shakyo,
        file=_upload(text, encoding="cp932"),
        title="高齢者実態把握調査",
        dry_run=True,
    )
    assert dry.ok, [str(e) for e in dry.errors]
    assert dry.encoding == "Shift_JIS (CP932)"
    report = import_targets(
        actor=csw,
        agency=shakyo,
        file=_upload(text, encoding="cp932"),
        title="高齢者実態把握調査",
        dry_run=False,
    )
    assert report.created == 3
    takahashi = OutreachTarget.objects.get(approx_name="高橋 花子")
    assert takahashi.person == known  # 異体字 髙/高 and 和暦 birth date match
    sato = OutreachTarget.objects.get(approx_name="佐藤 一郎")
    assert sato.person is None and "閲覧権限なし" in sato.match_note  # another agency's record
    assert elsewhere.registered_by_agency.name in sato.match_note
    assert AuditEvent.objects.filter(action="outreach.import").count() == 1
    # The same list again: every row is an open target already.
    again = import_targets(
        actor=csw, agency=shakyo, file=_upload(text), title="再取込", dry_run=False
    )
    assert again.created == 0 and len(again.errors) == 3


def test_xlsx_list_imports(csw, shakyo, north):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["氏名", "生年月日", "住所", "圏域"])
    sheet.append(["表 三郎", dt.datetime(1939, 5, 5), "大字続谷4", "north"])
    sheet.append(["裏 四郎", "1940-06-06", "大字続谷5", "north"])
    buf = io.BytesIO()
    book.save(buf)
    upload = SimpleUploadedFile("survey.xlsx", buf.getvalue())
    report = import_targets(actor=csw, agency=shakyo, file=upload, title="調査名簿", dry_run=False)
    assert report.created == 2, [str(e) for e in report.errors]
    assert OutreachTarget.objects.get(approx_name="表 三郎").birth_date == dt.date(1939, 5, 5)


def test_outsider_cannot_import(outsider, shakyo):
    from agencies.policy import PolicyDenied

    with pytest.raises(PolicyDenied):
        import_targets(actor=outsider, agency=shakyo, file=_upload(HEADER), title="x", dry_run=True)


def test_ichikai_survey_210_imported_206_visited_41_with_a_nurse(csw, shakyo, north):
    """市貝町 (004): 210 people on the survey list, 206 visited by the 推進員, 41 of them with a
    訪問看護センター nurse; some visits by two staff."""
    partner = staff(shakyo, Role.COORDINATOR)
    text = HEADER + "".join(_rows(210, "north", csw.username))
    report = import_targets(
        actor=csw,
        agency=shakyo,
        file=_upload(text),
        title="高齢者実態把握調査(80歳以上ADL低下)",
        dry_run=False,
        known_on=timezone.localdate() - dt.timedelta(days=200),  # the survey's date
    )
    assert report.created == 210, [str(e) for e in report.errors[:5]]
    targets = list(OutreachTarget.objects.order_by("pk"))
    start = timezone.now() - dt.timedelta(days=200)
    two_staff = 0
    for i, target in enumerate(targets[:206]):
        nurse = i < 41
        pair = i % 5 == 0
        two_staff += pair
        log_contact(
            csw,
            target,
            when=start + dt.timedelta(days=i % 180, hours=i % 8),
            staff=[csw, partner] if pair else [csw],
            professionals=["visiting_nurse"] if nurse else [],
            professionals_note="訪問看護センター職員" if nurse else "",
        )
    # Letters to the 4 not visited do not count as visits.
    for target in targets[206:]:
        log_contact(csw, target, kind="letter", counterpart="nobody", outcome="left_note")
    counts = outreach_counts(OutreachTarget.objects.filter(agency=shakyo))
    assert counts.targets == 210
    assert counts.visited_targets == 206
    assert counts.visits == 206
    assert counts.staff_visits == 206 + two_staff
    assert counts.targets_with_nurse == 41
    assert counts.visits_with_nurse == 41
    assert counts.contacts == 210
    assert counts.contacts_by_kind == {"home_visit": 206, "letter": 4}
    assert OutreachContact.objects.visits().count() == 206


def test_a_lead_worker_outside_the_agencys_care_staff_is_a_row_error(csw, shakyo, north):
    """The import offers what the target page's 担当者 form offers: the agency's care staff. A
    法人's worker or a 民生委員 would be 主担当 of a target they could not work (the 民生委員's
    real import answered 404 after a clean dry run)."""
    from agencies.tests.factories import AgencyFactory

    other = staff(AgencyFactory(), Role.CASEWORKER)
    resident = staff(shakyo, Role.RESIDENT)
    text = (
        HEADER
        + "".join(_rows(1, "north", other.username))
        + "".join(_rows(1, "north", resident.username)).replace("000", "001")
    )
    for dry_run in (True, False):
        report = import_targets(
            actor=csw, agency=shakyo, file=_upload(text), title="調査", dry_run=dry_run
        )
        assert not report.ok
        messages = [str(e) for e in report.errors]
        assert any(m.startswith("2行目「担当者」") for m in messages), messages
        assert any(m.startswith("3行目「担当者」") for m in messages), messages
    assert not OutreachTarget.objects.exists()
