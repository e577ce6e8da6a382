"""Password hashing (argon2id) and the password rules shown to users."""

from __future__ import annotations

from functools import cache, cached_property
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
MAX_LENGTH = 256

_COMMON_FILE = Path(__file__).with_name("common_passwords.txt")


@cache
def _common_passwords() -> frozenset[str]:
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line and not line.startswith("#"))


def password_problems(password: str, email: str = "") -> list[str]:
    """Return the Dutch reasons a password is refused (empty when it is acceptable)."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Kies een wachtwoord van minstens {MIN_LENGTH} tekens.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Kies een wachtwoord van hoogstens {MAX_LENGTH} tekens.")
    folded = password.strip().casefold()
    email = email.strip().casefold()
    if email and (folded == email or folded == email.split("@", 1)[0]):
        problems.append("Je wachtwoord mag niet gelijk zijn aan je e-mailadres.")
    if folded in _common_passwords():
        problems.append("Dit wachtwoord komt veel voor en is makkelijk te raden. Kies een ander.")
    return problems


class Hasher:
    """argon2id hashing; tests pass cheaper parameters, production keeps the library defaults."""

    def __init__(self, cheap: bool = False) -> None:
        if cheap:
            self._ph = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        else:
            self._ph = PasswordHasher()

    @cached_property
    def _dummy(self) -> str:
        """Verified when an e-mail address is unknown, so that answer costs the same time; made
        at the first login, not at start (a hash costs as much as a login)."""
        return self._ph.hash("geen-account-met-dit-adres")

    def hash(self, password: str) -> str:
        return self._ph.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """Check a password; with no stored hash, spend the same time and return False."""
        try:
            return self._ph.verify(stored_hash or self._dummy, password) and stored_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._ph.check_needs_rehash(stored_hash)
