"""The Mollie client, configured from MOLLIE_API_KEY and MOLLIE_API_ENDPOINT (the real
mollie-api-python, always; the endpoint is Mollie itself or, in development and tests, the
sandbox in tools/mollie_sandbox), and amounts as Mollie writes them.

Timeouts are short: a page that asks Mollie waits at most a few seconds and then shows what is
known, so a slow Mollie cannot hold up the site's workers. (Tests may set MOLLIE_TIMEOUT.)"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app
from mollie.api.error import Error as MollieError  # noqa: F401 - re-exported for callers
from mollie.api.objects.payment import Payment

if TYPE_CHECKING:
    from mollie.api.client import Client

TIMEOUT = (2, 3)  # seconds: connect, read


def client() -> Client:
    """A client for this request (cheap to build; it holds no connection state we rely on)."""
    # Imported at the first payment, not at start: with requests and OAuth it is a fifth of a
    # second of every start, and most processes (the CLI, the job worker) never pay.
    from mollie.api.client import Client

    mollie = Client(
        api_endpoint=current_app.config["MOLLIE_API_ENDPOINT"],
        timeout=current_app.config.get("MOLLIE_TIMEOUT", TIMEOUT),
    )
    mollie.set_api_key(current_app.config["MOLLIE_API_KEY"])
    mollie.set_user_agent_component("Zorggenoot", "1")
    # The client would send platform.uname(), including this server's host name, to Mollie.
    mollie.UNAME = "server"
    return mollie


def payment_stub(mollie: Client, payment_id: str) -> Payment:
    """A payment object with only its id, enough to reach its refunds without an extra GET."""
    return Payment({"id": payment_id}, mollie)


def amount(cents: int) -> dict[str, str]:
    """{"currency": "EUR", "value": "12.34"}: a string with exactly two decimals, never a float."""
    if cents <= 0:
        raise ValueError("an amount to pay must be positive")
    return {"currency": "EUR", "value": f"{cents // 100}.{cents % 100:02d}"}


def cents(amount: dict | None) -> int:
    """Mollie's {"value": "12.34"} back to 1234 (without floats)."""
    if not amount:
        return 0
    whole, _, fraction = str(amount["value"]).partition(".")
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole)) * 100 + int((fraction + "00")[:2]))
