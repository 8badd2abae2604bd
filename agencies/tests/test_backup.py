"""`manage.py backup` / `restore` round trip: every table's row count, the dump's and every
uploaded file's checksum match; restore refuses a non-empty target and a tampered archive.

On PostgreSQL (CI) the dump is pg_dump's and the restore goes into a fresh, empty database; on
SQLite the database file is copied with SQLite's backup API."""

import os
import shutil
import sqlite3
import tarfile
import uuid

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from agencies import backup
from agencies.tests.factories import AgencyFactory
from audit.services import record

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(tmp_path, settings):
    root = tmp_path / "media"
    (root / "consents").mkdir(parents=True)
    (root / "consents" / "scan.pdf").write_bytes(b"%PDF-1.4 scanned consent\n")
    (root / "notes" / "2026").mkdir(parents=True)
    (root / "notes" / "2026" / "photo.png").write_bytes(os.urandom(2048))
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def target(tmp_path):
    """An empty database of the same kind; dropped afterwards (PostgreSQL)."""
    db = settings.DATABASES["default"]
    if connection.vendor == "postgresql":
        import psycopg

        name = f"{db['NAME']}_restore_{uuid.uuid4().hex[:8]}"
        admin = psycopg.connect(
            dbname="postgres",
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
            host=db.get("HOST") or "127.0.0.1",
            port=db.get("PORT") or 5432,
        )
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        auth = db.get("USER") or ""
        if db.get("PASSWORD"):
            auth += f":{db['PASSWORD']}"
        url = f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"
        yield url, {**db, "NAME": name}
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()
    else:
        path = tmp_path / "restored.sqlite3"
        yield f"sqlite:///{path}", {"NAME": str(path)}


def _counts(db: dict) -> dict[str, int]:
    if connection.vendor == "postgresql":
        return backup.table_counts_pg(db)
    return backup.table_counts_sqlite(db["NAME"])


def test_round_trip_keeps_every_row_and_file(tmp_path, media, target, settings):
    AgencyFactory.create_batch(3)
    record(actor=None, action="system.test", object_type="system", object_id="backup")
    archive = tmp_path / "out" / "tsunagu.tar.gz"
    call_command("backup", output=str(archive))
    assert oct(archive.stat().st_mode)[-3:] == "600"
    source_counts = backup._current_counts()
    files = {p.relative_to(media).as_posix(): backup.sha256_file(p) for p in media.rglob("*.*")}

    url, db = target
    restored_media = tmp_path / "restored-media"
    settings.MEDIA_ROOT = restored_media
    call_command("restore", archive=str(archive), database_url=url)
    assert _counts(db) == source_counts
    assert source_counts["agencies_agency"] >= 3 and source_counts["audit_auditevent"] >= 1
    assert {
        p.relative_to(restored_media).as_posix(): backup.sha256_file(p)
        for p in restored_media.rglob("*.*")
    } == files


def test_encrypted_round_trip_needs_the_passphrase(tmp_path, media, target, settings, monkeypatch):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    monkeypatch.setenv("BACKUP_PASSPHRASE", "correct horse battery staple")
    archive = tmp_path / "tsunagu.tar.gz.enc"
    call_command("backup", output=str(archive), passphrase_env="BACKUP_PASSPHRASE")
    assert not tarfile.is_tarfile(archive)  # not readable without the passphrase
    url, _db = target
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    with pytest.raises(CommandError):
        call_command("restore", archive=str(archive), database_url=url)
    call_command(
        "restore", archive=str(archive), database_url=url, passphrase_env="BACKUP_PASSPHRASE"
    )
    assert (tmp_path / "restored-media" / "consents" / "scan.pdf").exists()


def test_restore_refuses_a_non_empty_database(tmp_path, media, settings):
    archive = tmp_path / "tsunagu.tar.gz"
    call_command("backup", output=str(archive))
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    if connection.vendor == "postgresql":
        url = None  # the live test database: not empty
    else:
        path = tmp_path / "busy.sqlite3"
        busy = sqlite3.connect(path)
        busy.execute("CREATE TABLE x (id int)")
        busy.commit()
        busy.close()
        url = f"sqlite:///{path}"
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", archive=str(archive), database_url=url)


def test_restore_refuses_a_tampered_archive(tmp_path, media, target, settings):
    archive = tmp_path / "tsunagu.tar.gz"
    call_command("backup", output=str(archive))
    work = tmp_path / "unpacked"
    with tarfile.open(archive) as tar:
        # `filter` exists from Python 3.11.4 (Debian 12's 3.11.2 has none); the archive is ours.
        tar.extractall(work, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    (work / "media" / "consents" / "scan.pdf").write_bytes(b"%PDF-1.4 forged\n")
    forged = tmp_path / "forged.tar.gz"
    with tarfile.open(forged, "w:gz") as tar:
        for path in sorted(work.rglob("*")):
            if path.is_file():
                tar.add(path, arcname=path.relative_to(work).as_posix())
    url, db = target
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    with pytest.raises(CommandError, match="checksum"):
        call_command("restore", archive=str(forged), database_url=url)
    assert _counts(db) == {}  # nothing was written
