"""Encryption at rest for health data, dossier notes and documents (Fernet, with key rotation).

ENCRYPTION_KEYS holds one or more Fernet keys, newest first: new values are encrypted with the
first; any of them can decrypt, so an old key stays until `flask keys rotate` has re-encrypted
everything with the new one. Every column that holds encrypted values is declared with
`register_column` by the feature that owns it, so the rotation covers it the day it is added.

What must become unreadable everywhere once it is erased (what someone told the Hulplijn) is
sealed with a data key of its own instead (`seal`, `unseal`). Data keys are kept wrapped by
ENCRYPTION_KEYS in a small store apart from the main database (KEY_STORE_URL, by default
instance/keys.db). Erasing destroys the key, so every copy of the sealed values (SQLite's
write-ahead log, PostgreSQL's old row versions, a backup of the main database restored later)
stays unreadable. The key store is backed up on its own and never restored to an earlier point.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from app import db


class DecryptionError(Exception):
    """A value could not be decrypted with any configured key."""


class KeyDestroyed(DecryptionError):
    """The data key of a sealed value was destroyed: what it protected was erased."""


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
    true are encrypted (the others hold plain text). NULL and empty values are left alone. With
    `sealed_by`, the values are sealed with data keys instead: the key of a row is
    `subject(table, <the row's sealed_by column>)`, its own id or, say, its order's; with
    `key_of`, the key is that other table's (a dossier's rows all share the dossier's key)."""

    table: str
    column: str
    flag: str | None = None
    key: str = "id"
    sealed_by: str | None = None
    key_of: str | None = None

    @property
    def key_table(self) -> str:
        return self.key_of or self.table


def register_column(
    app: Flask,
    table: str,
    column: str,
    *,
    flag: str | None = None,
    key: str = "id",
    sealed_by: str | None = None,
    key_of: str | None = None,
) -> None:
    """Declare that `table.column` holds values made by `encrypt`, or by `seal` with the data
    key named by its `sealed_by` column (see EncryptedColumn); `key` is the table's primary key
    column. Deleting or anonymising rows of a table with sealed columns goes through
    `destroy_row_keys`."""
    declared = EncryptedColumn(table, column, flag, key, sealed_by, key_of)
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
    """Re-encrypt every value in every registered column with the newest key; values sealed
    with data keys stay as they are (`rewrap_keys` re-wraps their keys), and a value from before
    its column was sealed is sealed now.

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
        owner: sa.ColumnClause = sa.column(declared.sealed_by or declared.key)
        columns = [key, value] + ([sa.column(declared.flag, sa.Boolean)] if declared.flag else [])
        if declared.sealed_by and declared.sealed_by != declared.key:
            columns.append(owner)
        table = sa.table(declared.table, *columns)
        query = sa.select(key, value, owner).select_from(table)
        query = query.where(value.is_not(None), value != "")
        if declared.flag:
            query = query.where(sa.column(declared.flag, sa.Boolean).is_(True))
        for row_key, token, owned_by in connection.execute(query):
            name = subject(declared.key_table, owned_by)
            sealed = declared.sealed_by is not None
            if is_sealed(name, token) if sealed else is_current(token):
                result.already_current += 1
                continue
            try:
                renewed = seal(name, decrypt(token)) if sealed else rotate(token)
                updates.append((table, key, value, row_key, renewed))
            except DecryptionError:
                result.unreadable.append(f"{declared.table}.{declared.column} {row_key}")
    if result.unreadable:
        return result
    for table, key, value, row_key, token in updates:
        connection.execute(sa.update(table).where(key == row_key).values({value.name: token}))
        result.rotated += 1
    return result


# --- data keys: one per protected thing, kept apart from the main database -------------------

KEY_STORE = sa.MetaData()
DATA_KEYS = sa.Table(
    "data_key",
    KEY_STORE,
    # What the key protects, as `subject(table, id)`: "helpline_request:12".
    sa.Column("subject", sa.String(120), primary_key=True),
    # The key itself, encrypted with ENCRYPTION_KEYS (so a copy of this store alone is useless).
    sa.Column("wrapped", sa.Text, nullable=False),
)


# The key store's entry for the secret of `blind_index` (never destroyed).
INDEX_KEY = "blind-index"


def subject(table: str, row_id: object) -> str:
    return f"{table}:{row_id}"


def _key_store() -> sa.Engine:
    """The key store's engine, made when first needed (most requests never need it)."""
    engine = current_app.extensions.get("key_store")
    if engine is None:
        engine = db.make_engine(current_app.config["KEY_STORE_URL"])
        KEY_STORE.create_all(engine)
        engine = current_app.extensions.setdefault("key_store", engine)
    return engine


def _wrapped(subject_name: str) -> str | None:
    query = sa.select(DATA_KEYS.c.wrapped).where(DATA_KEYS.c.subject == subject_name)
    with _key_store().connect() as connection:
        return connection.execute(query).scalar_one_or_none()


def _unwrapped() -> dict[str, Fernet]:
    """The data keys already unwrapped in this app context (one request, one job): a dossier
    page opens hundreds of values with one key. Destroying a key drops it here too."""
    return g.setdefault("data_keys", {})


def _new_key(subject_name: str) -> str:
    made = _fernet().encrypt(Fernet.generate_key()).decode("ascii")
    try:
        with _key_store().begin() as connection:
            connection.execute(sa.insert(DATA_KEYS).values(subject=subject_name, wrapped=made))
    except sa.exc.IntegrityError:  # made at the same moment by another request
        return _wrapped(subject_name) or made
    return made


def _data_key(subject_name: str) -> Fernet | None:
    known = _unwrapped().get(subject_name)
    if known is not None:
        return known
    wrapped = _wrapped(subject_name)
    if wrapped is None:
        return None
    key = _unwrap(wrapped)
    _unwrapped()[subject_name] = key
    return key


def _unwrap(wrapped: str) -> Fernet:
    try:
        return Fernet(_fernet().decrypt(wrapped.encode("ascii")))
    except InvalidToken:
        raise DecryptionError("no configured key unwraps this data key") from None


def _sealing_key(subject_name: str) -> Fernet:
    """The data key of `subject_name`, made on first use."""
    key = _data_key(subject_name)
    if key is None:
        key = _unwrap(_new_key(subject_name))
        _unwrapped()[subject_name] = key
    return key


def seal(subject_name: str, text: str) -> str:
    """`text` encrypted with the data key of `subject_name` (made on first use)."""
    return _sealing_key(subject_name).encrypt(text.encode("utf-8")).decode("ascii")


def seal_bytes(subject_name: str, data: bytes) -> bytes:
    """`data` (a document) encrypted with the data key of `subject_name`."""
    return _sealing_key(subject_name).encrypt(data)


def unseal_bytes(subject_name: str, token: bytes) -> bytes:
    """Raises KeyDestroyed when the key is gone."""
    key = _data_key(subject_name)
    if key is None:
        raise KeyDestroyed(f"the data key of {subject_name} is gone")
    try:
        return key.decrypt(token)
    except InvalidToken:
        raise DecryptionError("the data key does not fit this document") from None


def blind_index(value: str) -> str:
    """A keyed hash of a normalised value, to find encrypted rows by it without decrypting them
    (HMAC-SHA256 with a secret kept in the key store, wrapped like the data keys: useless to
    whoever holds only the main database)."""
    secret = current_app.extensions.get("blind_index_key")
    if secret is None:
        wrapped = _wrapped(INDEX_KEY) or _new_key(INDEX_KEY)
        secret = _fernet().decrypt(wrapped.encode("ascii"))
        current_app.extensions["blind_index_key"] = secret
    return hmac.new(secret, value.encode("utf-8"), hashlib.sha256).hexdigest()[:40]


def unseal(subject_name: str, token: str) -> str:
    """The text sealed for `subject_name`. Raises KeyDestroyed when its key is gone. A value
    from before data keys (encrypted with ENCRYPTION_KEYS) is still read; `flask keys rotate`
    seals it."""
    key = _data_key(subject_name)
    if key is not None:
        try:
            return key.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            pass
    try:
        return decrypt(token)
    except DecryptionError:
        if key is None:
            raise KeyDestroyed(f"the data key of {subject_name} is gone") from None
        raise


def is_sealed(subject_name: str, token: str) -> bool:
    """Whether `token` is sealed with the data key of `subject_name` (not an older value)."""
    key = _data_key(subject_name)
    if key is None:
        return False
    try:
        key.decrypt(token.encode("ascii"))
    except InvalidToken:
        return False
    return True


def destroy_keys(subjects: Iterable[str]) -> int:
    """Destroy the data keys of `subjects`: what they sealed can never be read again. The key
    store overwrites deleted rows (secure_delete) and its write-ahead log is cut at once."""
    names = list(subjects)
    if not names:
        return 0
    for name in names:
        _unwrapped().pop(name, None)
    engine = _key_store()
    with engine.begin() as connection:
        count = connection.execute(
            sa.delete(DATA_KEYS).where(DATA_KEYS.c.subject.in_(names))
        ).rowcount
    db.truncate_wal(engine)
    return count


def destroy_row_keys(
    connection: sa.Connection, table: sa.Table, where: sa.ColumnElement[bool]
) -> int:
    """Before rows of `table` matching `where` are deleted (or anonymised, their sealed columns
    emptied): destroy their data keys, if the table has sealed columns. Done first, so a key
    never outlives its value; should the deletion then fail, the sealed values of those rows
    are lost, which is what was asked anyway."""
    sealed_by = {
        (c.sealed_by, c.key_table)
        for c in encrypted_columns()
        if c.table == table.name and c.sealed_by
    }
    names = {
        subject(key_table, owner)
        for column, key_table in sealed_by
        for (owner,) in connection.execute(sa.select(table.c[column]).where(where))
    }
    return destroy_keys(names)


def rewrap_keys() -> int:
    """Wrap every data key with the newest of ENCRYPTION_KEYS (part of `flask keys rotate`)."""
    engine = _key_store()
    changed = 0
    with engine.begin() as connection:
        for name, wrapped in connection.execute(
            sa.select(DATA_KEYS.c.subject, DATA_KEYS.c.wrapped)
        ):
            if is_current(wrapped):
                continue
            connection.execute(
                sa.update(DATA_KEYS)
                .where(DATA_KEYS.c.subject == name)
                .values(wrapped=rotate(wrapped))
            )
            changed += 1
    return changed


def init_app(app: Flask) -> None:
    app.extensions["fernet"] = MultiFernet([Fernet(k) for k in app.config["ENCRYPTION_KEYS"]])
