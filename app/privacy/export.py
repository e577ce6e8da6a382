"""The download of everything held about a person (R2), built from the registry.

The ZIP holds what the access page shows (`overview`): one JSON file per category (a `_meta`
block describes the category and every field), one per panel a feature adds (the derived profile
with how recommendations are made, the cookie choices made in the same browser before logging
in, ...), the information art. 15 AVG requires (purposes, recipients, retention, rights, the
complaint route), each JSON file with a CSV file beside it for a spreadsheet; plus a README in
Dutch and an HTML overview that opens in any browser. It is built on demand, stored encrypted
(it can hold health answers), downloadable only by its owner, and removed after 7 days by the
retention job. A new export replaces the previous one.
"""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
import zipfile
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import current_app, render_template
from sqlmodel import Session, col, select

from app import crypto
from app.accounts.models import User
from app.core.personal_data import Panel
from app.db import id_of, utcnow
from app.privacy import data, overview, requests
from app.privacy.models import ExportFile, PrivacyRequest, RequestKind

SCHEMA_VERSION = "2"
KEEP_FOR = timedelta(days=7)
INFORMATION_FILE = "informatie-over-de-verwerking"
# A spreadsheet would run a cell starting with one of these as a formula; such a cell gets a
# leading apostrophe in the CSV (never in the JSON). Phone numbers (+31 6…) are left alone.
FORMULA_START = ("=", "@", "+", "-", "\t", "\r")
PHONE_OR_NUMBER = re.compile(r"^[+-][\d\s().-]*$")


def folder() -> Path:
    """Where the encrypted downloads wait; the folder and the instance folder are the owner's
    only (0700), also when this is the first thing that creates them."""
    instance = Path(current_app.config["INSTANCE_DIR"])
    instance.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = instance / "exports"
    path.mkdir(mode=0o700, exist_ok=True)
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


def _cell(value: object) -> str:
    """One value as a CSV cell: lists and mappings as JSON, times as ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False)
    text = str(value)
    if text.startswith(FORMULA_START) and not PHONE_OR_NUMBER.match(text):
        return "'" + text
    return text


def to_csv(columns: list[str], rows: list[dict]) -> str:
    """A CSV file (UTF-8 with a byte-order mark, so spreadsheets read accents right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return "\ufeff" + buffer.getvalue()


def _json(content: dict) -> str:
    return json.dumps(content, ensure_ascii=False, indent=2, default=_plain)


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot go into the export")


def _information_rows(info: dict) -> list[dict]:
    """The art. 15 information flattened to (part, subject, text) rows for the CSV."""
    rows = [
        {"deel": "verwerkingsverantwoordelijke", "onderwerp": key, "inhoud": value}
        for key, value in info["verwerkingsverantwoordelijke"].items()
    ]
    for item in info["verwerkingen"]:
        for key, value in item.items():
            if key != "onderdeel":
                rows.append({"deel": item["onderdeel"], "onderwerp": key, "inhoud": value})
    for key, value in info["ontvangers"].items():
        rows.append({"deel": "ontvangers", "onderwerp": key, "inhoud": value})
    for key, value in info["profilering"].items():
        rows.append({"deel": "profilering", "onderwerp": key, "inhoud": value})
    for right in info["rechten"]:
        rows.append(
            {
                "deel": "rechten",
                "onderwerp": f"{right['recht']} ({right['artikel']})",
                "inhoud": right["hoe"],
            }
        )
    rows.append(
        {"deel": "rechten", "onderwerp": "privacycentrum", "inhoud": info["privacycentrum"]}
    )
    for key, value in info["klacht"].items():
        rows.append({"deel": "klacht", "onderwerp": key, "inhoud": value})
    return rows


def _panel_meta(panel: Panel, exported_at: str) -> dict:
    return {
        "export_time": exported_at,
        "schema_version": SCHEMA_VERSION,
        "category": panel.title,
        "purpose": panel.purpose,
        "source": panel.source,
        **panel.meta,
        "fields": panel.fields,
    }


def build_zip(session: Session, user: User, *, cookies: Mapping[str, str] | None = None) -> bytes:
    """The archive itself (nothing is stored or logged here). `cookies` are the browser's, when
    the person asks from their own browser."""
    now = utcnow().replace(microsecond=0)
    exported_at = now.isoformat()
    seen = overview.gather(session, user, cookies=cookies)
    sections = [s for s in seen.sections if s.category.export]
    panels = [p for p in seen.panels if p.export]
    info = overview.information(seen)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        names = []
        for number, section in enumerate(sections, start=1):
            name = f"{number:02d}-{section.category.table}"
            names.append((name, section))
            rows = [{k: data.plain(v) for k, v in row.items()} for row in section.rows]
            archive.writestr(
                f"{name}.json", _json({"_meta": _meta(section, exported_at), "rows": rows})
            )
            archive.writestr(f"{name}.csv", to_csv(list(section.fields), section.rows))
        for panel in panels:
            rows = [{k: data.plain(v) for k, v in row.items()} for row in panel.rows]
            meta = _panel_meta(panel, exported_at)
            archive.writestr(f"{panel.key}.json", _json({"_meta": meta, "rows": rows}))
            archive.writestr(f"{panel.key}.csv", to_csv(list(panel.fields), panel.rows))
        for panel in seen.panels:
            for file_name, content in (panel.attachments() if panel.attachments else {}).items():
                archive.writestr(f"{panel.key}/{file_name}", content)

        info_meta = {
            "export_time": exported_at,
            "schema_version": SCHEMA_VERSION,
            "category": "Informatie over de verwerking van je gegevens (art. 15 AVG)",
        }
        archive.writestr(f"{INFORMATION_FILE}.json", _json({"_meta": info_meta, **info}))
        archive.writestr(
            f"{INFORMATION_FILE}.csv",
            to_csv(["deel", "onderwerp", "inhoud"], _information_rows(info)),
        )

        context = {
            "user": user,
            "sections": sections,
            "names": names,
            "exported_at": now,
            "overview": seen,
            "info": info,
            "files": (*(p.key for p in panels), INFORMATION_FILE),
            "panel_files": panels,
        }
        archive.writestr("LEESMIJ.txt", render_template("privacy/export_readme.txt", **context))
        archive.writestr(
            "overzicht.html", render_template("privacy/export_overview.html", **context)
        )
    return buffer.getvalue()


def create(
    session: Session,
    user: User,
    *,
    by: int | None = None,
    request: PrivacyRequest | None = None,
    cookies: Mapping[str, str] | None = None,
) -> ExportFile:
    """Build, encrypt and store a fresh export, replacing older ones; logged as a request."""
    user_id = id_of(user)
    remove_files(session, user_id)
    payload = crypto.encrypt_bytes(build_zip(session, user, cookies=cookies))
    filename = f"{secrets.token_urlsafe(24)}.zip.enc"
    (folder() / filename).write_bytes(payload)
    row = ExportFile(user_id=user_id, filename=filename, size_bytes=len(payload))
    session.add(row)
    requests.record_done(
        session,
        user_id=user_id,
        kind=RequestKind.DOWNLOAD,
        outcome="downloadbestand klaargezet (7 dagen beschikbaar)",
        by=by,
        request=request,
    )
    session.flush()
    return row


def current(session: Session, user_id: int) -> ExportFile | None:
    row = session.exec(
        select(ExportFile).where(ExportFile.user_id == user_id).order_by(col(ExportFile.id).desc())
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
