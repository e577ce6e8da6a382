"""E-mail addresses in one form, so that one mailbox can have only one account.

Every address is normalised before it is stored or looked up (registration, login, password
reset, an address change, staff looking someone up):

- The whole address is put in Unicode NFKC form first: full-width and other compatibility
  characters (`＠`, `ＥＸＡＭＰＬＥ`, `𝐞`, `ｅ`) become the plain characters they stand for.
- The domain is case-folded the way domain names are compared (IDNA 2008 with the UTS #46
  mapping) and written in Unicode: `BÜCHER.nl` and `xn--bcher-kva.nl` are both `bücher.nl`;
  a trailing dot goes.
- The local part (before the `@`) is lowercased, as it always was here: the mail providers our
  users have treat it without regard to case. It is not case-folded further (`ß` stays `ß`) and
  dots and `+labels` are kept, because whether those matter differs per provider, and merging
  two real mailboxes would send one person's mail to another.

Characters from another script that only look alike (a Cyrillic `а`) make another address,
which reaches another mailbox or none; since an account only exists once its confirmation link
is followed from that mailbox, such an address cannot become a second account for the same
mailbox.
"""

from __future__ import annotations

import unicodedata

from email_validator import EmailNotValidError, validate_email

# Full stops that separate domain labels in other scripts (UTS #46 maps them to ".").
FULL_STOPS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})


def normalise_email(address: str) -> str:
    """The address in the one form we store and compare (see the module docstring)."""
    text = unicodedata.normalize("NFKC", address).strip()
    local, at, domain = text.rpartition("@")
    if not at or not local:
        return text.lower()
    return f"{local.lower()}@{normalise_domain(domain)}"


def normalise_domain(domain: str) -> str:
    domain = unicodedata.normalize("NFKC", domain).translate(FULL_STOPS).strip().rstrip(".")
    try:
        checked = validate_email(f"x@{domain}", check_deliverability=False)
    except EmailNotValidError:
        # Not a domain mail can be sent to; keep a stable, case-folded form for comparing.
        return domain.casefold()
    return checked.domain
