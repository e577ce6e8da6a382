"""Encryption at rest for health data, dossier notes and documents (Fernet, with key rotation).

ENCRYPTION_KEYS holds one or more Fernet keys, newest first: new values are encrypted with the
first; any of them can decrypt, so an old key stays until `flask keys rotate` has re-encrypted
everything with the new one.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app


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
    return _fernet().rotate(token.encode("ascii")).decode("ascii")


def init_app(app: Flask) -> None:
    app.extensions["fernet"] = MultiFernet([Fernet(k) for k in app.config["ENCRYPTION_KEYS"]])
