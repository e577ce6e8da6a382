"""Encryption at rest for health data, dossier notes and documents (Fernet, with key rotation).

ENCRYPTION_KEYS holds one or more Fernet keys, newest first: new values are encrypted with the
first; any of them can decrypt, so an old key stays until `flask keys rotate` has re-encrypted
everything with the new one. Every column that holds encrypted values is declared with
`register_column` by the feature that owns it, so the rotation covers it the day it is added.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app
from sqlalchemy.orm import Session


class DecryptionError(Exception):
    """A value could not be decrypted with any configured key."""


def _fernet() -> MultiFernet:
    return current_app.extensions["fernet"]


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise DecryptionError("no configured key fits this value") from None


def encrypt_bytes(data: bytes) -> bytes:
    return _fernet().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return _fernet().decrypt(token)
    except InvalidToken:
        raise DecryptionError("no configured key fits this value") from None


def rotate(token: str) -> str:
    """The same value, encrypted with the newest key."""
    try:
        return _fernet().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken:
        raise DecryptionError("no configured key fits this value") from None


def is_current(token: str) -> bool:
    """Whether a value is already encrypted with the newest key (so rotating can skip it)."""
    newest = Fernet(current_app.config["ENCRYPTION_KEYS"][0])
    try:
        newest.decrypt(token.encode("ascii"))
    except InvalidToken:
        return False
    return True


# --- which columns hold encrypted values, and rotating them ------------------------------------


@dataclass(frozen=True)
class EncryptedColumn:
    """A text column holding Fernet tokens; with `flag`, only rows where that boolean column is
    true are encrypted (the others hold plain text). NULL values are left alone."""

    table: str
    column: str
    flag: str | None = None
    key: str = "id"


def register_column(
    app: Flask, table: str, column: str, *, flag: str | None = None, key: str = "id"
) -> None:
    """Declare that `table.column` holds values made by `encrypt` (see EncryptedColumn); `key`
    is the table's primary key column."""
    declared = EncryptedColumn(table, column, flag, key)
    columns = app.extensions.setdefault("encrypted_columns", [])
    if declared not in columns:
        columns.append(declared)


def encrypted_columns() -> list[EncryptedColumn]:
    return list(current_app.extensions.get("encrypted_columns", []))


@dataclass
class RotationResult:
    rotated: int = 0
    already_current: int = 0
    unreadable: list[str] = field(default_factory=list)


def rotate_all(session: Session) -> RotationResult:
    """Re-encrypt every value in every registered column with the newest key.

    Values already encrypted with the newest key are left as they are, so running it twice
    changes nothing the second time. Values that no configured key can decrypt are listed in
    `unreadable` and nothing is changed at all (the caller should roll back); the caller commits.
    """
    result = RotationResult()
    connection = session.connection()
    updates: list[tuple[sa.TableClause, sa.ColumnClause, sa.ColumnClause, object, str]] = []
    for declared in encrypted_columns():
        key: sa.ColumnClause = sa.column(declared.key)
        value: sa.ColumnClause = sa.column(declared.column, sa.Text)
        columns = [key, value] + ([sa.column(declared.flag, sa.Boolean)] if declared.flag else [])
        table = sa.table(declared.table, *columns)
        query = sa.select(key, value).select_from(table).where(value.is_not(None))
        if declared.flag:
            query = query.where(sa.column(declared.flag, sa.Boolean).is_(True))
        for row_key, token in connection.execute(query):
            if is_current(token):
                result.already_current += 1
                continue
            try:
                updates.append((table, key, value, row_key, rotate(token)))
            except DecryptionError:
                result.unreadable.append(f"{declared.table}.{declared.column} {row_key}")
    if result.unreadable:
        return result
    for table, key, value, row_key, token in updates:
        connection.execute(sa.update(table).where(key == row_key).values({value.name: token}))
        result.rotated += 1
    return result


def init_app(app: Flask) -> None:
    app.extensions["fernet"] = MultiFernet([Fernet(k) for k in app.config["ENCRYPTION_KEYS"]])
