"""Confirming an address: a new one the account asked for, or one never confirmed.

The request only queues the work; the worker decides what is mailed, so whether another account
already has the address is never shown to the person asking: that account's owner gets a notice
instead of a link.
"""

from __future__ import annotations

from sqlmodel import Session

from app.accounts import links, throttle
from app.accounts.addresses import normalise_email
from app.accounts.links import TokenError
from app.accounts.models import LinkPurpose, User
from app.accounts.service import (
    NOTICE_EVERY,
    TAKEN_MESSAGE,
    FieldError,
    find_by_email,
    hasher,
)
from app.audit import service as audit
from app.db import utcnow
from app.jobs import service as jobs
from app.mail import service as mail
from app.urls import public_url

KIND = "account.confirm_address"


def request_email_change(session: Session, *, user: User, new_email: str, password: str) -> None:
    """Keep the new address aside and queue a confirmation link for it; the old one stays in
    use until the link is followed. Whether another account has the new address is not said
    here (that would tell who has an account): its owner gets a notice instead of a link."""
    if not hasher().verify(user.password_hash, password):
        raise FieldError("password", "Je wachtwoord klopt niet.")
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise FieldError("email", "Dit is al je e-mailadres.")
    user.pending_email = new_email
    audit.record(session, action="nieuw e-mailadres opgegeven", user_id=user.id)
    queue_verification(session, user)


def queue_verification(session: Session, user: User) -> None:
    """Queue the e-mail that confirms the account's new (or not yet confirmed) address.

    The worker decides what it says (`send_verification`), so the request does the same work
    whether or not another account has that address."""
    address = user.pending_email or user.email
    jobs.enqueue(session, KIND, {"user": user.id, "email": address}, user_id=user.id)


def send_verification(session: Session, payload: dict) -> None:
    """The worker's part: mail a 24-hour confirmation link to the address; when another
    account has it, tell that account's owner instead (at most once an hour)."""
    user = session.get(User, payload["user"])
    address = payload["email"]
    if user is None or address not in (user.pending_email, user.email):
        return  # the account asked for another address since, or is gone
    owner = find_by_email(session, address)
    if owner is not None and owner.id != user.id:
        if throttle.first_in("address-in-use", address, NOTICE_EVERY):
            mail.send(
                session,
                to=owner.email,
                user_id=owner.id,
                subject="Iemand wilde je e-mailadres gebruiken",
                template="address_in_use",
                user=owner,
                forgot=public_url("accounts.forgot_password"),
            )
        return
    key = links.create(session, LinkPurpose.VERIFY, user_id=user.id, data={"email": address})
    mail.send(
        session,
        to=address,
        user_id=user.id,
        subject="Bevestig je e-mailadres",
        template="verify",
        name=user.name,
        link=public_url("accounts.verify_email", token=key),
        changing=user.pending_email is not None,
    )


def verify_email(session: Session, *, key: str) -> User:
    """Confirm the address a verification link was sent to.

    Raises TokenError (expired, invalid, used) and FieldError("email") when another account
    took the new address in the meantime."""
    link = links.find(session, key, LinkPurpose.VERIFY)
    user = session.get(User, link.user_id) if link.user_id else None
    if user is None:
        raise TokenError("invalid")
    address = links.data(link).get("email")
    if user.pending_email and address == user.pending_email:
        if find_by_email(session, address) is not None:
            raise FieldError("email", TAKEN_MESSAGE)
        old = user.email
        user.email, user.pending_email = address, None
        user.email_verified_at = utcnow()
        links.use(link)
        audit.record(session, action="e-mailadres gewijzigd", user_id=user.id)
        mail.send(
            session,
            to=old,
            user_id=user.id,
            subject="Je e-mailadres is gewijzigd",
            template="email_changed",
            user=user,
        )
        return user
    if address == user.email and user.email_verified_at is None:
        user.email_verified_at = utcnow()
        links.use(link)
        audit.record(session, action="e-mailadres bevestigd", user_id=user.id)
        return user
    raise TokenError("used")
