"""CSV reading/writing (csvio) and the all-or-nothing imports of agencies and staff."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agencies import csvio, tabular
from agencies.choices import Role
from agencies.imports import import_agencies, import_staff, parse_date
from agencies.models import Agency, Membership, User
from agencies.policy import PolicyDenied
from agencies.tests.factories import AgencyFactory, AreaFactory
from agencies.tests.utils import login_as
from audit.models import AuditEvent

AGENCY_HEADER = "機関コード,機関名,ふりがな,機関種別,実施事業,圏域コード,電話番号"
AGENCY_ROWS = [
    "east,東部地域包括支援センター,とうぶほうかつ,地域包括支援センター,包括的相談支援事業|elderly,north,0120-1",
    "npo-a,NPO法人 あさひ,あさひ,npo,,,",
    'coop,"みどり生協, 福祉部",みどりせいきょう,その他,community、participation,,',
]


def upload(text: str, encoding="utf-8", name="data.csv", bom=False) -> SimpleUploadedFile:
    raw = text.replace("\n", "\r\n").encode(encoding)
    if bom:
        raw = b"\xef\xbb\xbf" + raw
    return SimpleUploadedFile(name, raw, content_type="text/csv")


def agency_csv(*rows: str) -> str:
    return "\n".join([AGENCY_HEADER, *rows]) + "\n"


@pytest.fixture
def north(db):
    return AreaFactory(code="north", name="北部圏域")


# --- csvio: reading ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "bom", "label"),
    [
        ("utf-8", False, "UTF-8"),
        ("utf-8", True, "UTF-8 (BOM付き)"),
        ("cp932", False, "Shift_JIS (CP932)"),
    ],
)
def test_read_detects_encoding(encoding, bom, label):
    table = csvio.read_csv_upload(
        upload("氏名,ふりがな\n山田 太郎,やまだ たろう\n髙橋 ①,たかはし\n", encoding, bom=bom),
        ["氏名"],
    )
    assert table.encoding_label == label
    assert [r["氏名"] for r in table] == ["山田 太郎", "髙橋 ①"]
    assert table.header == ["氏名", "ふりがな"]


def test_read_reports_physical_line_numbers_and_skips_blank_lines():
    text = 'a,b\n1,"two\nlines"\n\n3,x\n'
    rows = list(csvio.read_csv_upload(upload(text), ["a"]))
    assert [(r.line, r["a"]) for r in rows] == [(2, "1"), (5, "3")]
    assert rows[0]["b"] == "two\r\nlines"


def test_read_matches_columns_by_name_and_trims_spaces():
    table = csvio.read_csv_upload(upload(" 氏名 ,\u3000ID\u3000\n　山田　, x1 \n"), ["ID", "氏名"])
    assert table.rows[0].values == {"氏名": "山田", "ID": "x1"}


def test_read_missing_column_is_reported_on_line_1():
    with pytest.raises(csvio.CsvError) as exc:
        csvio.read_csv_upload(upload("氏名\n山田\n"), ["氏名", "ログインID"])
    assert exc.value.line == 1
    assert "ログインID" in str(exc.value) and "1行目" in str(exc.value)


def test_read_unknown_and_duplicate_headers():
    with pytest.raises(csvio.CsvError, match="不明な列"):
        csvio.read_csv_upload(upload("氏名,しめい\nx,y\n"), ["氏名"], allowed_columns=["氏名"])
    with pytest.raises(csvio.CsvError, match="重複"):
        csvio.read_csv_upload(upload("氏名,氏名\nx,y\n"), ["氏名"])


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "空です"),
        (b"PK\x03\x04rest", ".xlsx"),
        (b"\xff\xfe\x41\x00", "UTF-16"),
        (b"a,b\n\x00\x01", "バイナリ"),
        (b"a,b\n\x81\x20", "文字コード"),
        (b"a,b\n", "データ行がありません"),
    ],
)
def test_read_refuses_what_is_not_a_readable_csv(raw, message):
    with pytest.raises(csvio.CsvError, match=message):
        csvio.read_csv_upload(SimpleUploadedFile("x.csv", raw), ["a"])


def test_read_refuses_wrong_extension_and_size():
    with pytest.raises(csvio.CsvError, match=".csv"):
        csvio.read_csv_upload(SimpleUploadedFile("x.xlsx", b"a\n1\n"), ["a"])
    with pytest.raises(csvio.CsvError, match="大きすぎ"):
        csvio.read_csv_upload(upload("a\n" + "1\n" * 100), ["a"], max_bytes=50)


def test_read_undoes_export_neutralisation():
    table = csvio.read_csv_upload(upload("a\n'=SUM(A1)\n'x\n"), ["a"])
    assert [r["a"] for r in table] == ["=SUM(A1)", "'x"]


# --- csvio: writing ---------------------------------------------------------------------


def test_csv_response_is_utf8_bom_crlf_and_neutralises_formulas():
    response = tabular.csv_response(
        "監査ログ.csv",
        ["名前", "値"],
        [
            ['=HYPERLINK("x")', 1],
            ["+81", -5],
            ["-1+2", None],
            ["@SUM(A1)", True],
            ["\tTAB", date(2025, 4, 1)],
            ["\rCR", "普通"],
        ],
    )
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[0] == "名前,値"
    assert "'=HYPERLINK" in lines[1] and lines[1].endswith(",1")
    assert lines[2] == "'+81,-5"  # numbers stay numbers
    assert lines[3] == "'-1+2,"
    assert lines[4] == "'@SUM(A1),1"
    assert lines[5] == "'\tTAB,2025-04-01"
    assert "'\rCR" in text
    assert "\n" not in text.replace("\r\n", "").replace("'\rCR", "")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "filename*=utf-8''%E7%9B%A3" in response["Content-Disposition"]


def test_csv_response_streams_large_iterables():
    rows = ([i, f"=x{i}"] for i in range(1000))
    response = tabular.csv_response("big.csv", ["n", "v"], rows, streaming=True)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.count("\r\n") == 1001
    assert "999,'=x999" in text


# --- agency import ----------------------------------------------------------------------


@pytest.mark.parametrize(("encoding", "bom"), [("utf-8", False), ("utf-8", True), ("cp932", False)])
def test_agencies_import_in_every_supported_encoding(admin_user, north, encoding, bom):
    report = import_agencies(
        actor=admin_user, file=upload(agency_csv(*AGENCY_ROWS), encoding, bom=bom), dry_run=False
    )
    assert report.ok, [str(e) for e in report.errors]
    assert report.created == 3
    east = Agency.objects.get(code="east")
    assert (east.kind, east.area, east.programmes) == (
        "houkatsu",
        north,
        ["consultation", "elderly"],
    )
    assert Agency.objects.get(code="coop").programmes == ["community", "participation"]
    assert Agency.objects.get(code="coop").name == "みどり生協, 福祉部"
    assert AuditEvent.objects.filter(action="agency.create").count() == 3
    assert AuditEvent.objects.filter(action="agency.import").count() == 1


def test_agency_import_missing_column_imports_nothing(admin_user):
    report = import_agencies(
        actor=admin_user, file=upload("機関コード,機関名\nx,y\n"), dry_run=False
    )
    assert not report.ok
    assert report.errors[0].line == 1
    assert "ふりがな" in report.errors[0].message and "機関種別" in report.errors[0].message
    assert not Agency.objects.filter(code="x").exists()


def test_agency_import_reports_every_bad_row_and_imports_nothing(admin_user, north):
    existing = AgencyFactory(code="taken", name="既存の機関")
    text = agency_csv(
        AGENCY_ROWS[0],
        "east,別の名前,べつ,npo,,,",  # line 3: duplicate code within the file
        "taken,新しい機関,あたらしい,npo,,,",  # line 4: existing code
        "x1,既存の機関,きぞん,npo,,,",  # line 5: existing name
        "x2,種別不明,ふめい,宇宙ステーション,,,",  # line 6: unknown kind
        "x3,圏域不明,ふめい,npo,,south,",  # line 7: unknown area
        "x4,事業不明,ふめい,npo,宇宙事業,,",  # line 8: unknown programme
        ",,,,,,",  # blank line: skipped
        "x5,,ふめい,npo,,,",  # line 10: missing name
        "bad code!,記号,きごう,npo,,,",  # line 11: invalid slug
    )
    report = import_agencies(actor=admin_user, file=upload(text), dry_run=False)
    by_line = {}
    for e in report.errors:
        by_line.setdefault(e.line, []).append(str(e))
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8, 10, 11]
    assert "2行目と同じ" in by_line[3][0]
    assert "既に登録されています" in by_line[4][0]
    assert "機関名" in by_line[5][0]
    assert "不明な機関種別" in by_line[6][0]
    assert "不明な圏域コード" in by_line[7][0]
    assert "宇宙事業" in by_line[8][0]
    assert "必須項目が空です" in by_line[10][0]
    assert "11行目「機関コード」" in by_line[11][0]
    assert set(Agency.objects.filter(code__startswith="x").values_list("code", flat=True)) == set()
    assert not Agency.objects.filter(code="east").exists()
    assert Agency.objects.get(code="taken") == existing
    assert not AuditEvent.objects.filter(action__startswith="agency.").exists()


def test_agency_import_dry_run_writes_nothing(admin_user, north):
    report = import_agencies(actor=admin_user, file=upload(agency_csv(*AGENCY_ROWS)), dry_run=True)
    assert report.ok and report.created == 0
    assert [p["code"] for p in report.preview] == ["east", "npo-a", "coop"]
    assert not Agency.objects.filter(code__in=["east", "npo-a", "coop"]).exists()


def test_import_requires_admin(caseworker):
    with pytest.raises(PolicyDenied):
        import_agencies(actor=caseworker, file=upload(agency_csv(*AGENCY_ROWS)), dry_run=True)
    with pytest.raises(PolicyDenied):
        import_staff(actor=caseworker, file=upload("ログインID,氏名\nx,y\n"), dry_run=True)


# --- staff import -----------------------------------------------------------------------

STAFF_HEADER = "ログインID,氏名,ふりがな,職員番号,メールアドレス,機関コード,役割,開始日"


@pytest.fixture
def shakyo(db):
    return AgencyFactory(code="shakyo", name="社協")


def test_staff_import_with_several_memberships_per_person(
    admin_user, shakyo, agency, django_capture_on_commit_callbacks
):
    from django.core import mail

    text = "\n".join(
        [
            STAFF_HEADER,
            "suishin9,推進 九,すいしん きゅう,S9,s9@example.jp,shakyo,相談支援包括化推進員,2025/4/1",
            "suishin9,,,,,shakyo,csw,令和7年4月1日",
            f"solo1,単独 一,たんどく,M7,,{agency.code},caseworker,",
            "nomember,所属なし,,,,,,",
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = import_staff(
            actor=admin_user,
            file=upload(text, "cp932"),
            dry_run=False,
            base_url="http://testserver/",
            send_setup_email=True,
        )
    assert report.ok, [str(e) for e in report.errors]
    assert (report.created, report.memberships_created) == (3, 3)
    user = User.objects.get(username="suishin9")
    assert {(m.role, m.start_date) for m in user.memberships.all()} == {
        (Role.COORDINATOR, date(2025, 4, 1)),
        (Role.CSW, date(2025, 4, 1)),
    }
    assert not User.objects.get(username="nomember").memberships.exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["s9@example.jp"]
    assert AuditEvent.objects.filter(action="staff.import").count() == 1
    assert AuditEvent.objects.filter(action="membership.create").count() == 3


def test_staff_import_reports_bad_rows_and_imports_nothing(admin_user, shakyo, caseworker):
    caseworker.staff_number = "TAKEN"
    caseworker.save()
    text = "\n".join(
        [
            STAFF_HEADER,
            "ok1,良い 行,,,,shakyo,csw,2025-04-01",  # 2: fine
            "ok1,別の 名前,,,,shakyo,caseworker,",  # 3: same ID, different name
            f"{caseworker.username},既存,,,,,,",  # 4: existing login ID
            "x1,番号重複,,TAKEN,,,,",  # 5: existing staff number
            "x2,機関不明,,,,nowhere,csw,",  # 6: unknown agency
            "x3,役割不明,,,,shakyo,社長,",  # 7: unknown role
            "x4,日付不正,,,,shakyo,csw,2025-13-45",  # 8: bad date
            "ok1,,,,,shakyo,csw,",  # 9: duplicate membership
            "x5,片方だけ,,,,shakyo,,",  # 10: agency without role
            "x6,メール不正,,,not-an-email,,,",  # 11: bad e-mail
            "x7,番号A,,DUP,,,,",  # 12
            "x8,番号B,,DUP,,,,",  # 13: duplicate staff number within the file
        ]
    )
    report = import_staff(actor=admin_user, file=upload(text), dry_run=False)
    lines = {e.line for e in report.errors}
    assert lines == {3, 4, 5, 6, 7, 8, 9, 10, 11, 13}
    messages = {e.line: str(e) for e in report.errors}
    assert "2行目と内容が異なります" in messages[3]
    assert "既に登録されています" in messages[4]
    assert "既に使われています" in messages[5]
    assert "不明な機関コード" in messages[6]
    assert "不明な役割" in messages[7]
    assert "日付として読めません" in messages[8]
    assert "重複しています" in messages[9]
    assert "役割も必要" in messages[10]
    assert "メールアドレス" in messages[11]
    assert "12行目と同じ" in messages[13]
    assert not User.objects.filter(username__in=["ok1", "x1", "x7"]).exists()
    assert Membership.objects.filter(agency=shakyo).count() == 0


def test_staff_import_duplicate_login_id_without_membership(admin_user):
    text = "ログインID,氏名\nsame,一人目\nsame,一人目\n"
    report = import_staff(actor=admin_user, file=upload(text), dry_run=False)
    assert [(e.line, e.column) for e in report.errors] == [(3, "ログインID")]
    assert not User.objects.filter(username="same").exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-04-01", date(2025, 4, 1)),
        ("2025/4/1", date(2025, 4, 1)),
        ("２０２５年４月１日", date(2025, 4, 1)),
        ("令和7年4月1日", date(2025, 4, 1)),
        ("R7.4.1", date(2025, 4, 1)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("H31/4/30", date(2019, 4, 30)),
        ("2025-02-30", None),
        ("明日", None),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


# --- the import page --------------------------------------------------------------------


def test_import_page_shows_line_numbers_and_imports_nothing(client, admin_user):
    login_as(client, admin_user)
    text = agency_csv("a1,機関A,きかんえー,npo,,,", "a1,機関B,きかんびー,npo,,,")
    response = client.post(
        reverse("agencies:agency_import"), {"file": upload(text, "cp932"), "import": "1"}
    )
    html = response.content.decode()
    assert "取り込めませんでした" in html
    assert "何も取り込まれていません" in html
    assert "2行目と同じ" in html
    assert "Shift_JIS" in html
    assert not Agency.objects.filter(code="a1").exists()


def test_import_page_validate_then_import(client, admin_user, north):
    login_as(client, admin_user)
    url = reverse("agencies:agency_import")
    response = client.post(url, {"file": upload(agency_csv(*AGENCY_ROWS)), "validate": "1"})
    assert "問題はありません" in response.content.decode()
    assert not Agency.objects.filter(code="east").exists()
    response = client.post(url, {"file": upload(agency_csv(*AGENCY_ROWS), bom=True), "import": "1"})
    assert "機関3件を登録しました" in response.content.decode()
    assert Agency.objects.filter(code__in=["east", "npo-a", "coop"]).count() == 3


def test_import_page_rejects_non_csv_uploads(client, admin_user):
    login_as(client, admin_user)
    url = reverse("agencies:staff_import")
    response = client.post(
        url,
        {"file": SimpleUploadedFile("staff.xlsx", b"PK\x03\x04", "application/zip"), "import": "1"},
    )
    assert "拡張子 .csv" in response.content.decode()
    big = SimpleUploadedFile("big.csv", b"a" * (2 * 1024 * 1024 + 1), "text/csv")
    response = client.post(url, {"file": big, "import": "1"})
    assert "大きすぎます" in response.content.decode()
    response = client.post(
        url, {"file": SimpleUploadedFile("x.csv", b"a\n1\n", "image/png"), "import": "1"}
    )
    assert "CSVファイルを選んでください" in response.content.decode()


def test_import_page_documents_columns(client, admin_user):
    login_as(client, admin_user)
    html = client.get(reverse("agencies:staff_import")).content.decode()
    for header in ["ログインID", "氏名", "機関コード", "役割", "開始日"]:
        assert f'<th scope="row">{header}</th>' in html
    assert reverse("agencies:staff_import_template") in html


def test_agency_import_reports_each_empty_required_cell_once(admin_user, north):
    text = agency_csv(
        "x1,,きぞん,npo,,,",  # line 2: no name
        "x2,名前あり,,,,,",  # line 3: no kana, no kind
        "x3,電話不正,でんわ,,,,0120-1-2-3-4-5-6-7-8-9-0-1-2-3",  # line 4: no kind, bad phone
    )
    report = import_agencies(actor=admin_user, file=upload(text), dry_run=True)
    messages = [str(e) for e in report.errors]
    assert messages[:4] == [
        "2行目「機関名」: 必須項目が空です。",
        "3行目「ふりがな」: 必須項目が空です。",
        "3行目「機関種別」: 必須項目が空です。",
        "4行目「機関種別」: 必須項目が空です。",
    ]
    # the row's other cells are still checked by the model
    assert len(messages) == 5 and messages[4].startswith("4行目「電話番号」: この値は 20 文字以下")
