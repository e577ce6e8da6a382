"""The staff side of the shop: orders, hand-offs to partners, and refunds."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlmodel import col, select

from app import db
from app.accounts.access import role_required
from app.accounts.models import Role
from app.audit import access
from app.audit import service as audit
from app.audit.models import AccessAction
from app.forms import FieldError, add_error, is_digits
from app.payments import refunds, surplus
from app.payments.models import PaymentRow
from app.shop import delivery, invoices, paying, service
from app.shop.catalogue import field_names
from app.shop.forms import RefundForm
from app.shop.models import Order

bp = Blueprint("shop_staff", __name__, url_prefix="/staff/bestellingen")
STAFF = (Role.STAFF, Role.ADMIN)
MOLLIE_UNSURE = (
    "Mollie gaf geen bruikbaar antwoord. Probeer het opnieuw met hetzelfde bedrag, liefst "
    "binnen een uur: had Mollie toch al terugbetaald, dan gebeurt dat niet nog een keer."
)


@bp.get("")
@role_required(*STAFF)
def orders():
    """The newest orders first."""
    session = db.session()
    rows = session.exec(select(Order).order_by(col(Order.id).desc()).limit(200)).all()
    return render_template(
        "shop/staff_orders.html",
        orders=rows,
        paid_twice=surplus.marked(session, [db.id_of(row) for row in rows]),
    )


@bp.route("/<number>", methods=["GET", "POST"])
@role_required(*STAFF)
def order(number: str):
    """One order: lines, payments, what went to which partner, and refunds."""
    session = db.session()
    found = session.exec(select(Order).where(Order.number == number)).first()
    if found is None:
        abort(404)
    if request.method == "GET":
        access.record(
            session,
            actor=current_user,
            action=AccessAction.READ,
            what=f"bestelling {number}",
            subject_id=found.user_id,
        )
        session.commit()
    form = RefundForm()
    confirm = None
    if form.validate_on_submit():
        cents = parse_euro(form.amount.data)
        if cents is None:
            add_error(form, FieldError("amount", "Vul een bedrag in euro in, bijvoorbeeld 12,50."))
        elif form.confirmed.data == "ja":
            done = _refund(session, found, cents, form)
            if done:
                flash("De terugbetaling is aangevraagd bij Mollie.", "ok")
                return redirect(url_for("shop_staff.order", number=number), code=303)
        elif form.confirmed.data != "wijzig":
            # First the amount, then a confirmation that shows it: nothing goes to Mollie yet.
            try:
                paying.check_refund(found, cents)
            except service.ShopError as problem:
                add_error(form, problem)
            else:
                confirm = cents
    lines = service.order_lines(session, found)
    handoffs = service.handoffs(session, found)
    return render_template(
        "shop/staff_order.html",
        order=found,
        lines=lines,
        vat=service.order_vat(lines),
        handoffs=handoffs,
        deliveries=delivery.by_handoff(session, [db.id_of(h) for h in handoffs]),
        partner_name=service.partner_name,
        field_names=field_names,
        form=form,
        confirm=confirm,
        payments=session.exec(
            select(PaymentRow).where(PaymentRow.order_id == found.id).order_by(col(PaymentRow.id))
        ).all(),
        surplus=surplus.payments_of(session, db.id_of(found)),
        refunds=refunds.of(session, db.id_of(found)),
        credit_notes=invoices.credit_notes(session, db.id_of(found)),
    ), 422 if form.errors else 200


@bp.get("/<number>/creditnota/<credit_number>")
@role_required(*STAFF)
def credit_note(number: str, credit_number: str):
    """A credit note of an order, as the customer sees it."""
    session = db.session()
    found = session.exec(select(Order).where(Order.number == number)).first()
    view = None if found is None else invoices.credit_note_for(session, found, credit_number)
    if found is None or view is None:
        abort(404)
    access.record(
        session,
        actor=current_user,
        action=AccessAction.READ,
        what=f"creditnota {credit_number} van bestelling {number}",
        subject_id=found.user_id,
    )
    session.commit()
    return render_template(
        "shop/credit_note.html", order=found, note=view.note, vat=view.vat, reference=view.reference
    )


def _refund(session, order: Order, cents: int, form: RefundForm) -> bool:
    """Send a confirmed refund to Mollie; False (with the problem on the form) when it failed."""
    try:
        paying.refund(
            session,
            order=order,
            amount_cents=cents,
            staff_id=current_user.id,
            reason=form.reason.data or "",
        )
    except service.ShopError as problem:
        add_error(form, problem)
        return False
    except refunds.RefundUnavailable:
        # The answer may be lost after Mollie acted; the same amount again is safe.
        add_error(form, FieldError("amount", MOLLIE_UNSURE))
        return False
    audit.record(
        session,
        action="terugbetaling",
        user_id=order.user_id,
        actor_id=current_user.id,
        detail=f"{order.number}: {cents} cent",
    )
    access.record(
        session,
        actor=current_user,
        action=AccessAction.CHANGE,
        what=f"bestelling {order.number}: terugbetaling",
        subject_id=order.user_id,
    )
    session.commit()
    return True


def parse_euro(text: str | None) -> int | None:
    """'12,50', '12.50', '€ 12' -> cents; None when it is not an amount."""
    cleaned = (text or "").replace("€", "").replace(" ", "").replace(".", ",") if text else ""
    if not cleaned or cleaned.count(",") > 1:
        return None
    whole, _, fraction = cleaned.partition(",")
    if (
        not is_digits(whole)
        or (fraction and (not is_digits(fraction) or len(fraction) > 2))
        or len(whole) > 7
    ):
        return None
    return int(whole) * 100 + int((fraction + "00")[:2])
