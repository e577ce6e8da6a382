"""Registration that tells nobody who has an account.

The request checks the form, hashes the password and queues one job, whatever the address;
the page says "kijk in je mailbox" either way. The worker then looks the address up:

- no account: it keeps the registration (encrypted) with a 24-hour link and mails the link;
  the account is made when the link is followed and the password typed again, so neither
  someone with only the mailbox nor someone with only the password can finish it;
- an account: it mails the owner that someone tried to register with the address (at most
  once an hour) and changes nothing.
"""

from __future__ import annotations

from sqlmodel import Session

from app.accounts import links, throttle
from app.accounts.addresses import normalise_email
from app.accounts.models import LinkPurpose, User
from app.accounts.passwords import password_problems
from app.accounts.service import (
    NOTICE_EVERY,
    FieldError,
    create_account,
    find_by_email,
    hasher,
)
from app.audit import service as audit
from app.jobs import service as jobs
from app.mail import service as mail
from app.urls import public_url

KIND = "account.register"
NOT_THE_CHOSEN_ONE = (
    "Dit is niet het wachtwoord dat je koos bij het aanmaken van je account. Probeer het opnieuw."
)


def request_registration(
    session: Session,
    *,
    name: str,
    email: str,
    password: str,
    phone: str | None = None,
) -> None:
    """Queue a registration (the caller commits); the same work for every address.

    Raises FieldError("password") when the password breaks a rule."""
    email = normalise_email(email)
    problems = password_problems(password, email)
    if problems:
        raise FieldError("password", problems[0])
    registration = {
        "name": name.strip(),
        "email": email,
        "phone": (phone or "").strip() or None,
        "password_hash": hasher().hash(password),
    }
    jobs.enqueue(session, KIND, registration)


def finish_registration(session: Session, registration: dict) -> None:
    """The worker's part: mail a confirmation link, or tell the owner of a known address."""
    owner = find_by_email(session, registration["email"])
    if owner is not None:
        if throttle.first_in("register-known", owner.email, NOTICE_EVERY):
            audit.record(session, action="registratie met bestaand e-mailadres", user_id=owner.id)
            mail.send(
                session,
                to=owner.email,
                user_id=owner.id,
                subject="Iemand wilde een account maken met je e-mailadres",
                template="register_known",
                user=owner,
                login=public_url("accounts.login"),
                forgot=public_url("accounts.forgot_password"),
            )
        return
    key = links.create(session, LinkPurpose.REGISTRATION, data=registration)
    mail.send(
        session,
        to=registration["email"],
        subject="Bevestig je e-mailadres",
        template="verify",
        name=registration["name"],
        link=public_url("accounts.confirm_registration", token=key),
        changing=False,
        registering=True,
    )


def pending_address(session: Session, key: str) -> str:
    """The address of the registration a link confirms; raises TokenError."""
    link = links.find(session, key, LinkPurpose.REGISTRATION)
    return links.data(link)["email"]


def confirm_registration(session: Session, *, key: str, password: str) -> User:
    """Make the account of a registration link, verified, once the registrant's password is
    typed again.

    Raises TokenError for an unusable link, FieldError("password") for another password and
    FieldError("email") when the address got an account in the meantime."""
    link = links.find(session, key, LinkPurpose.REGISTRATION)
    registration = links.data(link)
    if not hasher().verify(registration["password_hash"], password):
        raise FieldError("password", NOT_THE_CHOSEN_ONE)
    user = create_account(
        session,
        name=registration["name"],
        email=registration["email"],
        password_hash=registration["password_hash"],
        phone=registration["phone"],
        verified=True,
    )
    links.use(link, user_id=user.id)
    audit.record(session, action="e-mailadres bevestigd", user_id=user.id)
    return user
