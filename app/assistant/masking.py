"""Personal data in a message: found and masked before the message is kept or shown again.

Deterministic checks only: a BSN must pass the eleven-test and an IBAN the mod-97 check, so
"123456789 minuten" is not taken for a BSN. An IBAN is masked before the phone check runs, so
its digits are never reported as a phone number as well.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LABELS = {
    "iban": "rekeningnummer (IBAN)",
    "email": "e-mailadres",
    "bsn": "burgerservicenummer (BSN)",
    "phone": "telefoonnummer",
    "address": "adres",
}
MASKS = {
    "iban": "[rekeningnummer]",
    "email": "[e-mailadres]",
    "bsn": "[BSN]",
    "phone": "[telefoonnummer]",
    "address": "[adres]",
}
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b", re.IGNORECASE)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
BSN = re.compile(r"(?<![\d.-])(\d{4}[. ]?\d{2}[. ]?\d{3}|\d{9})(?![\d.-]?\d)")
STREET = re.compile(
    r"\b\w{2,}(?:straat|laan|weg|plein|gracht|kade|singel|dijk|hof|pad|steeg|dreef|markt"
    r"|plantsoen)\s+\d{1,4}(?:\s?[a-z]\b|-\d{1,3})?(?!\d)",
    re.IGNORECASE,
)
POSTCODE = re.compile(r"\b[1-9]\d{3}\s?(?!SA|SD|SS)[A-Z]{2}\b")
PHONE = re.compile(r"(?<![\w+])(?:\+31|0031|0)(?:[ -]?\(?0?\)?[ -]?)?(?:\d[ -]?){8}\d(?!\d)")


@dataclass(frozen=True)
class Masked:
    text: str
    found: tuple[str, ...]  # the kinds found, in the order of LABELS

    @property
    def labels(self) -> list[str]:
        return [LABELS[kind] for kind in self.found]


def is_bsn(digits: str) -> bool:
    """The eleven-test: 9 digits, weights 9..2 and -1, the sum divisible by 11 (and not 0)."""
    if len(digits) != 9 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True))
    total -= int(digits[8])
    return total % 11 == 0 and digits != "000000000"


def is_iban(text: str) -> bool:
    """The mod-97 check of an IBAN (spaces ignored)."""
    compact = text.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34:
        return False
    moved = compact[4:] + compact[:4]
    number = "".join(str(int(c, 36)) for c in moved)
    return int(number) % 97 == 1


def mask(text: str) -> Masked:
    """`text` with every BSN, IBAN, e-mail address, phone number, street address (a street
    name with a house number) and postcode replaced by a label."""
    found: set[str] = set()

    def replace(kind: str, check=None):
        def swap(match: re.Match[str]) -> str:
            value = match.group(0)
            if check is not None and not check(value):
                return value
            found.add(kind)
            return MASKS[kind]

        return swap

    text = IBAN.sub(replace("iban", is_iban), text)
    text = EMAIL.sub(replace("email"), text)
    text = BSN.sub(replace("bsn", lambda v: is_bsn(re.sub(r"\D", "", v))), text)
    text = PHONE.sub(replace("phone"), text)
    text = STREET.sub(replace("address"), text)
    text = POSTCODE.sub(replace("address"), text)
    return Masked(text=text, found=tuple(kind for kind in LABELS if kind in found))
