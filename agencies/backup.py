"""Backup and restore: the database and the uploaded files in one archive with checksums.

`manage.py backup --output PATH [--passphrase-env VAR]` writes a tar.gz holding
  manifest.json   what is inside: every file's SHA-256, every table's row count
  database.dump   pg_dump's custom format (PostgreSQL) or database.sqlite3 (SQLite)
  media/…         MEDIA_ROOT (scanned consents, attachments, pledges)
and, with a passphrase, encrypts the whole archive (openssl AES-256-CBC, PBKDF2): the checksums
are inside it.

`manage.py restore --archive PATH [--database-url URL] [--passphrase-env VAR]` restores into an
EMPTY database and an empty MEDIA_ROOT only (it never overwrites), checks every checksum before
touching anything, and compares the restored row counts with the manifest. On PostgreSQL run
`manage.py db_app_role` afterwards (roles live outside the database).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import environ
from django.conf import settings
from django.db import connection
from django.utils import timezone

FORMAT = 1
CHUNK = 1024 * 1024


class BackupError(Exception):
    pass


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed")
    return path


def _pg_env(db: dict) -> tuple[list[str], dict]:
    args = ["-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["-U", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def table_counts_pg(db: dict) -> dict[str, int]:
    import psycopg

    conn = psycopg.connect(
        dbname=db["NAME"],
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
    )
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            tables = sorted(r[0] for r in cur.fetchall())
            counts = {}
            for table in tables:
                cur.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names from pg_tables
                counts[table] = cur.fetchone()[0]
        return counts
    finally:
        conn.close()


def table_counts_sqlite(path: str) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        tables = sorted(
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        )
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608
    finally:
        conn.close()


def _current_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def _encrypt(src: Path, dst: Path, passphrase: str) -> None:
    _openssl(["-e"], src, dst, passphrase)


def _decrypt(src: Path, dst: Path, passphrase: str) -> None:
    _openssl(["-d"], src, dst, passphrase)


def _openssl(mode: list[str], src: Path, dst: Path, passphrase: str) -> None:
    env = {**os.environ, "TSUNAGU_BACKUP_PASSPHRASE": passphrase}
    result = subprocess.run(  # noqa: S603 - fixed program and arguments
        [
            _tool("openssl"),
            "enc",
            *mode,
            "-aes-256-cbc",
            "-pbkdf2",
            "-iter",
            "200000",
            "-salt",
            "-in",
            str(src),
            "-out",
            str(dst),
            "-pass",
            "env:TSUNAGU_BACKUP_PASSPHRASE",
        ],
        env=env,
        capture_output=True,
    )
    if result.returncode != 0:
        raise BackupError("openssl failed (wrong passphrase?)")


@dataclass
class Summary:
    path: Path
    tables: int
    rows: int
    files: int


def backup(*, output: Path, passphrase: str | None = None) -> Summary:
    """Write the archive (see module doc). The database is dumped in one consistent snapshot."""
    db = settings.DATABASES["default"]
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if connection.vendor == "postgresql":
            dump = work / "database.dump"
            args, env = _pg_env(db)
            result = subprocess.run(  # noqa: S603
                [
                    _tool("pg_dump"),
                    "-Fc",
                    "--no-owner",
                    "--no-privileges",
                    *args,
                    "-f",
                    str(dump),
                    db["NAME"],
                ],
                env=env,
                capture_output=True,
            )
            if result.returncode != 0:
                raise BackupError(result.stderr.decode(errors="replace")[-500:])
        elif connection.vendor == "sqlite":
            dump = work / "database.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(dump)
            connection.connection.backup(target)
            target.close()
        else:
            raise BackupError(f"unsupported database: {connection.vendor}")
        counts = _current_counts()
        media = []
        if media_root.exists():
            for path in sorted(p for p in media_root.rglob("*") if p.is_file()):
                rel = path.relative_to(media_root).as_posix()
                media.append(
                    {"path": rel, "size": path.stat().st_size, "sha256": sha256_file(path)}
                )
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "database": {
                "vendor": connection.vendor,
                "file": dump.name,
                "sha256": sha256_file(dump),
            },
            "tables": counts,
            "media": media,
        }
        (work / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        plain = work / "archive.tar.gz"
        with tarfile.open(plain, "w:gz") as tar:
            tar.add(work / "manifest.json", arcname="manifest.json")
            tar.add(dump, arcname=dump.name)
            for item in media:
                tar.add(media_root / item["path"], arcname=f"media/{item['path']}")
        output.parent.mkdir(parents=True, exist_ok=True)
        if passphrase:
            _encrypt(plain, output, passphrase)
        else:
            shutil.copyfile(plain, output)
    output.chmod(0o600)
    return Summary(output, len(counts), sum(counts.values()), len(media))


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in tar.getmembers():
        name = Path(member.name)
        if name.is_absolute() or ".." in name.parts or not (member.isfile() or member.isdir()):
            raise BackupError(f"unsafe path in archive: {member.name}")
        members.append(member)
    return members


def _db_from_url(url: str | None) -> dict:
    return environ.Env.db_url_config(url) if url else dict(settings.DATABASES["default"])


def _database_is_empty(db: dict, vendor: str) -> bool:
    if vendor == "postgresql":
        return table_counts_pg(db) == {}
    path = Path(db["NAME"])
    return not path.exists() or path.stat().st_size == 0 or table_counts_sqlite(str(path)) == {}


def restore(
    *, archive: Path, database_url: str | None = None, passphrase: str | None = None
) -> Summary:
    """Restore into an empty database and MEDIA_ROOT (see module doc); returns what was restored.
    Raises BackupError, before writing anything, on a wrong checksum or a non-empty target."""
    db = _db_from_url(database_url)
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        plain = archive
        if passphrase:
            plain = work / "archive.tar.gz"
            _decrypt(archive, plain, passphrase)
        try:
            with tarfile.open(plain, "r:gz") as tar:
                tar.extractall(work / "x", members=_safe_members(tar))  # noqa: S202 - checked above
        except tarfile.TarError as exc:
            raise BackupError(f"not a backup archive ({exc}); encrypted? give --passphrase-env")
        root = work / "x"
        manifest = json.loads((root / "manifest.json").read_text())
        vendor = manifest["database"]["vendor"]
        dump = root / manifest["database"]["file"]
        if sha256_file(dump) != manifest["database"]["sha256"]:
            raise BackupError("database dump checksum mismatch")
        for item in manifest["media"]:
            if sha256_file(root / "media" / item["path"]) != item["sha256"]:
                raise BackupError(f"checksum mismatch: media/{item['path']}")
        engine = db["ENGINE"].rsplit(".", 1)[-1]
        if (vendor == "postgresql") != (engine == "postgresql"):
            raise BackupError(f"archive is {vendor}, target is {engine}")
        if not _database_is_empty(db, vendor):
            raise BackupError("the target database is not empty")
        if media_root.exists() and any(media_root.iterdir()):
            raise BackupError("MEDIA_ROOT is not empty")
        if vendor == "postgresql":
            args, env = _pg_env(db)
            result = subprocess.run(  # noqa: S603
                [
                    _tool("pg_restore"),
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    *args,
                    "-d",
                    db["NAME"],
                    str(dump),
                ],
                env=env,
                capture_output=True,
            )
            if result.returncode != 0:
                raise BackupError(result.stderr.decode(errors="replace")[-500:])
            counts = table_counts_pg(db)
        else:
            shutil.copyfile(dump, db["NAME"])
            counts = table_counts_sqlite(str(db["NAME"]))
        for item in manifest["media"]:
            target = media_root / item["path"]
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / "media" / item["path"], target)
            if sha256_file(target) != item["sha256"]:
                raise BackupError(f"file changed while restoring: {item['path']}")
        if counts != manifest["tables"]:
            differ = sorted(
                t for t in set(counts) | set(manifest["tables"])
                if counts.get(t) != manifest["tables"].get(t)
            )  # fmt: skip
            raise BackupError(f"row counts differ after restore: {', '.join(differ[:10])}")
    return Summary(archive, len(counts), sum(counts.values()), len(manifest["media"]))
