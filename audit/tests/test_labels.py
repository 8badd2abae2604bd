"""The audit viewer shows Japanese labels for actions and changed fields, keeping the codes."""

import pytest
from django.urls import reverse

from agencies.tests.utils import login_as
from audit.labels import ACTION_LABELS, ENTITY_LABELS, VERB_LABELS, action_label, field_label
from audit.services import record

pytestmark = pytest.mark.django_db


def test_action_labels_table_and_fallbacks():
    assert action_label("person.view") == "対象者の閲覧"
    assert action_label("auth.login") == "ログイン"
    assert action_label("meeting.fix_agenda") == "議題の確定"
    # composed from the entity and verb tables: no table entry needed for new actions
    assert "consultation.export" not in ACTION_LABELS
    assert action_label("consultation.export") == "相談受付の出力"
    assert action_label("household.search") == "世帯の検索"
    # an unknown verb keeps the entity label and the code; an unknown entity keeps the code
    assert action_label("person.teleport") == "対象者: teleport"
    assert action_label("spaceship.view") == "spaceship.view"
    assert action_label("") == ""


def _recorded_actions() -> set[str]:
    """Every action code the app's code records: the literal ones (`action="x.y"`, a list's
    `list_audit_action`), the つなぐシート's transitions and the report's yearly records."""
    import re
    from pathlib import Path

    from cases.services.intake import REFERRAL_TRANSITIONS

    root = Path(__file__).resolve().parents[2]
    literal = re.compile(r'(?:action|list_audit_action)\s*=\s*"([a-z_]+\.[a-z_]+)"')
    found = set()
    for path in root.glob("*/**/*.py"):
        parts = path.relative_to(root).parts
        if parts[0].startswith(".") or "tests" in parts or "migrations" in parts:
            continue
        found.update(literal.findall(path.read_text(encoding="utf-8")))
    found.update(f"referral.{action}" for action in REFERRAL_TRANSITIONS)
    found.update(
        f"{kind}.{verb}" for kind in ("profile", "narrative") for verb in ("create", "update")
    )
    return found


def test_every_recorded_action_reads_in_japanese():
    """The admin reads the log in Japanese: no action the app records shows as its code or as
    «entity: verb»."""
    actions = _recorded_actions()
    assert len(actions) > 150 and "referral.open" in actions and "access.refused" in actions
    raw = sorted(a for a in actions if action_label(a) == a or ":" in action_label(a))
    assert raw == []


def test_every_entity_and_verb_has_a_label():
    for verb in ("view", "create", "update", "delete", "list", "search", "export"):
        assert verb in VERB_LABELS
    assert all(str(label) for label in [*ENTITY_LABELS.values(), *VERB_LABELS.values()])


def test_field_label_uses_verbose_name_with_safe_fallback():
    assert field_label("cases.referral", "opened_at") == "確認日時"
    assert field_label("cases.consultation", "received_at") == "受付日時"
    assert field_label("agencies.agency", "name") == "機関名"
    assert field_label("agencies.agency", "no_such_field") == "no_such_field"
    assert field_label("nope.model", "name") == "name"
    assert field_label("", "name") == "name"
    assert field_label("system", "name") == "name"


def test_viewer_shows_labels_and_keeps_codes(client, admin_user, agency):
    record(actor=admin_user, action="agency.update", obj=agency, basis="admin", changes=["name"])
    login_as(client, admin_user)
    page = client.get(reverse("audit:event_list"), {"action": "agency."}).content.decode()
    name_label = field_label("agencies.agency", "name")
    assert name_label != "name"
    assert "機関の更新" in page and 'title="agency.update"' in page
    assert f'<span title="name">{name_label}</span>' in page
    assert "<td>管理者権限</td>" in page  # the basis, by its label


def test_viewer_names_each_rows_basis(client, admin_user, agency):
    """Each row shows its own basis by label; a basis the label table does not know keeps its
    code (as the CSV does) rather than showing nothing."""
    record(actor=admin_user, action="agency.view", obj=agency, basis="consent")
    record(actor=admin_user, action="agency.view", obj=agency, basis="shien_kaigi")
    record(actor=admin_user, action="agency.view", obj=agency, basis="future_basis")
    record(actor=admin_user, action="agency.view", obj=agency)
    login_as(client, admin_user)
    page = client.get(reverse("audit:event_list"), {"action": "agency.view"})
    shown = [e.basis_label for e in page.context["page_obj"]]
    assert shown == ["", "future_basis", "支援会議(法第106条の6)", "本人同意"]
    html = page.content.decode()
    assert "<td>本人同意</td>" in html and "<td>future_basis</td>" in html


def test_csv_has_code_and_label_columns(client, admin_user, agency):
    record(actor=admin_user, action="agency.update", obj=agency, basis="admin", changes=["name"])
    login_as(client, admin_user)
    response = client.get(reverse("audit:event_export"), {"action": "agency."})
    lines = b"".join(response.streaming_content).decode("utf-8-sig").split("\r\n")
    header = lines[0].split(",")
    assert header[2:4] == ["操作コード", "操作"]
    assert "変更項目コード" in header and "変更項目" in header
    row = lines[1].split(",")
    assert row[2:4] == ["agency.update", "機関の更新"]
    at = header.index("変更項目コード")
    assert row[at] == "name" and row[at + 1] == field_label("agencies.agency", "name")
