"""The download of everything held about a person (R2), built from the registry.

The ZIP holds one JSON file per category (a `_meta` block describes the category and every
field), a README in Dutch and an HTML overview that opens in any browser. It is built on demand,
stored encrypted (it can hold health answers), downloadable only by its owner, and removed after
7 days by the retention job. A new export replaces the previous one.
"""

from __future__ import annotations

import io
import json
import secrets
import zipfile
from datetime import timedelta
from pathlib import Path

from flask import current_app, render_template
from sqlmodel import Session, select

from app import crypto
from app.accounts.models import User
from app.db import utcnow
from app.privacy import data, requests
from app.privacy.models import ExportFile, PrivacyRequest

SCHEMA_VERSION = "1"
KEEP_FOR = timedelta(days=7)


def folder() -> Path:
    path = Path(current_app.config["INSTANCE_DIR"]) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _meta(section: data.Section, exported_at: str) -> dict:
    category = section.category
    return {
        "export_time": exported_at,
        "schema_version": SCHEMA_VERSION,
        "category": category.name,
        "table": category.table,
        "purpose": category.purpose,
        "legal_basis": category.legal_basis.value,
        "retention": category.retention.description,
        "source": category.source.value,
        "recipients": category.recipients,
        "fields": section.fields,
    }


def build_zip(session: Session, user: User) -> bytes:
    """The archive itself (nothing is stored or logged here)."""
    now = utcnow().replace(microsecond=0)
    exported_at = now.isoformat()
    sections = [s for s in data.collect(session, user.id) if s.category.export]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        names = []
        for number, section in enumerate(sections, start=1):
            name = f"{number:02d}-{section.category.table}.json"
            names.append((name, section))
            content = {
                "_meta": _meta(section, exported_at),
                "rows": [{k: data.plain(v) for k, v in row.items()} for row in section.rows],
            }
            archive.writestr(name, json.dumps(content, ensure_ascii=False, indent=2))
        context = {"user": user, "sections": sections, "names": names, "exported_at": now}
        archive.writestr("LEESMIJ.txt", render_template("privacy/export_readme.txt", **context))
        archive.writestr(
            "overzicht.html", render_template("privacy/export_overview.html", **context)
        )
    return buffer.getvalue()


def create(
    session: Session, user: User, *, by: int | None = None, request: PrivacyRequest | None = None
) -> ExportFile:
    """Build, encrypt and store a fresh export, replacing older ones; logged as a request."""
    remove_files(session, user.id)
    payload = crypto.encrypt_bytes(build_zip(session, user))
    filename = f"{secrets.token_urlsafe(24)}.zip.enc"
    (folder() / filename).write_bytes(payload)
    row = ExportFile(user_id=user.id, filename=filename, size_bytes=len(payload))
    session.add(row)
    requests.record_done(
        session,
        user_id=user.id,
        kind="download",
        outcome="downloadbestand klaargezet (7 dagen beschikbaar)",
        by=by,
        request=request,
    )
    session.flush()
    return row


def current(session: Session, user_id: int) -> ExportFile | None:
    row = session.exec(
        select(ExportFile).where(ExportFile.user_id == user_id).order_by(ExportFile.id.desc())
    ).first()
    return row if row is not None and not expired(row) else None


def expires_at(row: ExportFile):
    return row.created_at + KEEP_FOR


def expired(row: ExportFile) -> bool:
    return utcnow() >= expires_at(row)


def for_owner(session: Session, *, export_id: int, user_id: int) -> ExportFile | None:
    """The export if it is this person's and still there; None otherwise (the view says 404)."""
    row = session.get(ExportFile, export_id)
    if row is None or row.user_id != user_id or expired(row):
        return None
    return row


def read(row: ExportFile) -> bytes:
    return crypto.decrypt_bytes((folder() / row.filename).read_bytes())


def download_name(row: ExportFile) -> str:
    return f"mijn-gegevens-{row.created_at:%Y-%m-%d}.zip"


def delete_file(row: ExportFile) -> None:
    (folder() / row.filename).unlink(missing_ok=True)


def remove_files(session: Session, user_id: int) -> None:
    for row in session.exec(select(ExportFile).where(ExportFile.user_id == user_id)):
        delete_file(row)
        session.delete(row)
    session.flush()
