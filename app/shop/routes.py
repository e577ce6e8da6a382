"""The shop for caregivers: catalogue, cart, checkout, payment return, orders and invoices."""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required
from markupsafe import Markup

from app import crypto, db
from app.consent.privacy import add_scope_label
from app.content import store as content
from app.core import pagecache, personal_data
from app.core.navigation import Link, add_link
from app.core.pagination import page_number, paginate
from app.core.sitemap import Entry, add_pages
from app.core.statistics import add_series_provider
from app.extensions import rate_limit
from app.forms import ButtonForm, add_error
from app.htmx import is_partial, render, wants_fragment
from app.payments import service as payments
from app.profile import personal
from app.search.service import register_provider
from app.shop import catalogue as catalogue_module
from app.shop import (
    cli,
    delivery,
    fiscal,
    illustrations,
    invoices,
    models,
    partner_staff,
    paying,
    privacy,
    search,
    service,
    staff,
    statistics,
    structured_data,
    waiting,
)
from app.shop.catalogue import Product
from app.shop.forms import BasketForm, checkout_form, order_form
from app.shop.models import HandoffStatus, OrderStatus

bp = Blueprint("shop", __name__)
CART = "cart"
ACCOUNT_NEEDED = (
    "Bestellen doe je met een account. Log hieronder in, of maak een account via ‘Nog geen "
    "account? Maak er een.’ Je mandje blijft bewaard."
)
WAITING = "cart_waiting"  # orders placed from the basket that wait for payment (see waiting.py)
PER_PAGE = 12


def cart() -> dict[str, int]:
    """The basket; while an order placed from it waits for payment, once per request it is
    settled with that order (see `waiting`): an ended payment puts its products back."""
    raw = session.get(CART)
    current = service.clean_cart(raw) if raw else {}
    remembered = session.get(WAITING)
    if remembered and current_user.is_authenticated and not g.get("cart_settled"):
        g.cart_settled = True
        settled = waiting.settle(
            db.session(), cart=current, waiting=remembered, user_id=current_user.id
        )
        if settled.returned:
            session[CART] = current = settled.cart
        if settled.waiting != remembered:
            session[WAITING] = settled.waiting
        if settled.missing:
            flash(
                "Deze producten konden niet terug in je mandje, omdat ze niet meer te koop "
                f"zijn of je mandje vol is: {', '.join(settled.missing)}.",
                "warning",
            )
    return current


def waiting_orders() -> list[str]:
    """The numbers of the orders placed from this basket that still wait for payment."""
    cart()
    return list(session.get(WAITING) or [])


def cart_count() -> int:
    return sum(cart().values())


@bp.get("/winkel")
@pagecache.cached_page
def catalogue():
    """Products and services of our partners; "Aanbevolen voor jou" first for a caregiver who
    allows it, the same order for everyone else."""
    current = service.catalogue()
    category = current.category(request.args.get("categorie", ""))
    products = [
        p for p in current.for_sale() if category is None or p.fields.category == category.slug
    ]
    context = {
        "page": paginate(products, page_number(request.args.get("pagina")), PER_PAGE),
        "categories": current.categories,
        "category": category,
    }
    if is_partial():  # a category or page chosen: the list (nothing of hers is in it)
        return render(
            "shop/catalogue.html",
            fragment="shop/_product_list.html",
            target="producten",
            **context,
        )
    recommended = personal.recommendations(current.for_sale(), for_shop=True, limit=4)
    view = "alles" if request.args.get("weergave") == "alles" or not recommended else "voor-jou"
    # Hers (escaped by their template), in a catalogue the same for everyone with her role.
    mine = (
        render_template(
            "shop/_catalogue_personal.html",
            recommended=recommended if view == "voor-jou" and category is None else [],
            view=view,
        )
        if recommended
        else ""
    )
    return pagecache.render_in_shell(
        "shop/catalogue.html",
        slots={"personal_html": Markup(mine)},  # noqa: S704
        vary=(category.slug if category else None,),
        **context,
    )


@bp.get("/winkel/<slug>")
def product(slug: str):
    """One product or service."""
    item = service.catalogue().products.get(slug)
    if item is None:
        abort(404)
    form = BasketForm(formdata=None, product=slug)
    in_cart = cart().get(slug, 0)
    return render_template("shop/product.html", product=item, form=form, in_cart=in_cart)


@bp.get("/winkel/afbeeldingen/<name>.<fingerprint>.svg")
def illustration(name: str, fingerprint: str):
    """A product's drawing, kept by browsers for good; an old fingerprint is sent on to the
    current one (a page cached before the drawing changed still shows it)."""
    found = service.catalogue().illustrations.get(f"{name}.svg")
    if found is None:
        abort(404)
    if fingerprint != found.fingerprint:
        return redirect(illustrations.url(found))
    response = Response(found.data, content_type="image/svg+xml")
    response.headers.update(illustrations.HEADERS)
    response.set_etag(found.fingerprint)
    return response.make_conditional(request)


def sitemap_pages() -> list[Entry]:
    """The catalogue and every product for sale."""
    products = service.catalogue().for_sale()
    return [Entry(url_for("shop.catalogue"))] + [
        Entry(url_for("shop.product", slug=p.slug)) for p in products
    ]


@bp.route("/winkel/mandje", methods=["GET", "POST"])
@rate_limit("60 per minute", methods=["POST"])
def basket():
    """The cart: add, change the quantity of, or remove a product; works with and without htmx.
    A refused quantity is shown next to the box it was typed in, on the page it came from."""
    form = BasketForm()
    notice = None
    if form.validate_on_submit():
        slug, action = form.product.data or "", form.actie.data or "toevoegen"
        item = service.catalogue().products.get(slug)
        try:
            quantity = 0 if action == "verwijderen" else service.parse_quantity(form.aantal.data)
            session[CART] = service.set_quantity(cart(), slug, quantity, add=action == "toevoegen")
        except service.ShopError as problem:
            add_error(form, problem)
            if action == "toevoegen" and (item is not None or wants_fragment("mandje-melding")):
                return _refused_on_product_page(form, item)
        else:
            notice = service.basket_notice(slug, action, session[CART].get(slug, 0))
            if wants_fragment("mandje-melding"):
                # A fresh form goes along, in place of one that showed an error before.
                fresh = BasketForm(formdata=None, product=slug, aantal=form.aantal.data)
                return render_template(
                    "shop/_added.html", count=cart_count(), product=item, form=fresh
                )
            if not wants_fragment("mandje"):
                if notice:
                    flash(notice, "ok")
                return redirect(url_for("shop.basket"), code=303)
    return _basket_page(form, notice)


def _basket_page(form: BasketForm, notice: str | None):
    """The basket (with htmx: its section), a refused quantity shown at its line."""
    lines, dropped = service.cart_lines(cart())
    total, vat = service.totals(lines)
    return render(
        "shop/basket.html",
        fragment="shop/_basket.html",
        target="mandje",
        form=form,
        line_forms={line.product.slug: _line_form(line, form) for line in lines},
        lines=lines,
        total=total,
        vat=vat,
        dropped=dropped,
        notice=notice,
        count=cart_count(),
        waiting=waiting_orders(),
    ), 422 if form.errors else 200


def _line_form(line: service.Line, submitted: BasketForm) -> BasketForm:
    """The quantity form of a line of the cart: the one just refused keeps what was typed."""
    slug = line.product.slug
    if submitted.errors and submitted.product.data == slug and submitted.actie.data == "wijzigen":
        return submitted
    return BasketForm(formdata=None, product=slug, actie="wijzigen", aantal=str(line.quantity))


def _refused_on_product_page(form: BasketForm, item: Product | None):
    """A refused 'add to cart' answers with the product's page (with htmx: its form), the typed
    quantity kept and the message next to it."""
    if wants_fragment("mandje-melding"):
        html = render_template("shop/_buy.html", product=item, form=form, count=cart_count())
        # The form asked for its status line only; the error belongs next to the quantity.
        return html, 422, {"HX-Retarget": "#kopen-formulier", "HX-Reswap": "outerHTML"}
    in_cart = cart().get(item.slug, 0) if item else 0
    return render_template("shop/product.html", product=item, form=form, in_cart=in_cart), 422


@bp.route("/winkel/afrekenen", methods=["GET", "POST"])
@rate_limit("20 per minute", methods=["POST"])
def checkout():
    """Consent per partner, an address only when something is delivered, the overview with BTW,
    and the button that states the payment obligation. A guest is told that ordering needs an
    account, on the login page that leads back to the basket."""
    if not current_user.is_authenticated:
        flash(ACCOUNT_NEEDED, "info")
        return redirect(url_for("accounts.login", next=url_for("shop.basket")))
    lines, _ = service.cart_lines(cart())
    if not lines:
        # The basket says why (an order that still waits for payment) and leads on.
        return redirect(url_for("shop.basket"), code=303)
    if current_user.restricted:
        flash(
            "Je hebt de verwerking van je gegevens beperkt. Bestellen kan weer als je de "
            "beperking opheft in het privacycentrum. Je mandje blijft bewaard.",
            "warning",
        )
        return redirect(url_for("shop.basket"), code=303)
    partners = service.partners_of(lines)
    form = checkout_form(
        partners,
        needs_address=any(line.product.fields.shipping for line in lines),
        needs_phone=any("phone" in p.needs for p in partners),
    )()
    if request.method == "GET":
        form.token.data = service.new_checkout_token()
        form.name.data = current_user.name
        if "phone" in form:
            form.phone.data = current_user.phone
    total, vat = service.totals(lines)
    refused: list = []
    if form.is_submitted():
        valid = form.validate()
        consented = {p.slug for p in partners if form[service.consent_field(p)].data}
        refused = [p for p in partners if p.slug not in consented]
        data = _data(form, consented)
        # Every problem at once: the field rules and what the ordered lines need.
        problems = service.checkout_problems(lines, data, first_partner=partners[0])
        for problem in problems:
            add_error(form, problem)
        if valid and not problems:
            try:
                order, placed = service.place_order(
                    db.session(), user=current_user, cart=cart(), data=data
                )
            except service.ShopError as problem:
                add_error(form, problem)
            else:
                db.session().commit()
                if placed:
                    session[CART] = {
                        slug: q
                        for slug, q in cart().items()
                        if slug not in {line.product.slug for line in placed}
                    }
                    session[WAITING] = waiting.remember(session.get(WAITING), str(order.number))
                return _pay(order)
    return render_template(
        "shop/checkout.html",
        form=form,
        lines=lines,
        partners=partners,
        total=total,
        vat=vat,
        refused=refused,
        consent_texts=service.consent_texts(lines),
    ), 422 if form.errors else 200


def _data(form, consented: set[str]) -> service.CheckoutData:
    def value(name: str):
        return form[name].data if name in form else None

    return service.CheckoutData(
        token=form.token.data or service.new_checkout_token(),
        consented=consented,
        name=form.name.data,
        phone=value("phone"),
        street=value("street"),
        house_number=value("house_number"),
        postcode=value("postcode"),
        city=value("city"),
    )


def _pay(order):
    """Send the browser to Mollie with a 303, or to the order page with a plain message."""
    try:
        url = paying.start(db.session(), order)
    except payments.PaymentUnavailable:
        db.session().commit()
        flash(
            "Betalen lukt op dit moment niet: we konden de betaaldienst niet bereiken. "
            "Je bestelling "
            "is bewaard. Probeer het over een paar minuten opnieuw.",
            "error",
        )
        return redirect(url_for("shop.order", number=order.number), code=303)
    except payments.PaymentBusy:
        db.session().commit()
        flash(
            "Je betaling wordt op dit moment al klaargezet. Klik over een paar seconden nog een "
            "keer op ‘Betalen’.",
            "info",
        )
        return redirect(url_for("shop.order", number=order.number), code=303)
    except payments.NotPayable as problem:
        db.session().commit()
        flash(str(problem), "warning")
        return redirect(url_for("shop.order", number=order.number), code=303)
    db.session().commit()
    return redirect(url, code=303)


@bp.get("/winkel/bestelling/<number>")
@login_required
def order(number: str):
    """The order's own page, also where Mollie sends the customer back: paid, failed, canceled,
    expired, or still waiting (then it checks again by itself, less and less often); an open
    payment or a refund under way is checked with Mollie too, when nobody asked just before."""
    found = _own_order(number)
    paying.refresh(db.session(), found)
    polls, poll_after = paying.next_poll(request.args.get("poging"))
    lines = service.order_lines(db.session(), found)
    basket_now = cart()  # after the refresh: an ended payment puts its products back
    return render(
        "shop/order.html",
        fragment="shop/_order_status.html",
        target="betaalstatus",
        order=found,
        lines=lines,
        vat=service.order_vat(lines),
        credit_notes=invoices.credit_notes(db.session(), db.id_of(found)),
        pay_form=ButtonForm(),
        polls=polls,
        poll_after=poll_after,
        in_basket=bool(lines) and all(line.product_slug in basket_now for line in lines),
    )


@bp.post("/winkel/bestelling/<number>/betalen")
@login_required
@rate_limit("10 per minute")
def pay(number: str):
    """Pay (again) for an order that waits for payment."""
    found = _own_order(number)
    if not ButtonForm().validate_on_submit():
        abort(400)
    return _pay(found)


@bp.post("/winkel/bestelling/<number>/opnieuw")
@login_required
@rate_limit("20 per minute")
def reorder(number: str):
    """The "Opnieuw betalen" of an order that ended unpaid: its products go back in the basket
    (if they are not there already) and the customer goes on to the checkout, where it becomes
    a new order; the ended order itself is never paid."""
    found = _own_order(number)
    if not ButtonForm().validate_on_submit():
        abort(400)
    lines = service.order_lines(db.session(), found)
    try:
        session[CART], missing = service.reorder(cart(), found, lines)
    except service.ShopError as problem:
        flash(str(problem), "warning")
        return redirect(url_for("shop.order", number=number), code=303)
    if missing:
        flash(
            "Deze producten konden niet terug in je mandje, omdat ze niet meer te koop zijn of "
            f"je mandje vol is: {', '.join(missing)}.",
            "warning",
        )
    if len(missing) == len(lines):
        return redirect(url_for("shop.basket"), code=303)
    flash(
        f"De producten van bestelling {number} staan in je mandje. Kijk alles na en betaal "
        "opnieuw; het wordt een nieuwe bestelling met een eigen nummer.",
        "ok",
    )
    return redirect(url_for("shop.basket" if missing else "shop.checkout"), code=303)


@bp.get("/winkel/bestellingen")
@login_required
def orders():
    """Everything this account ordered."""
    return render_template(
        "shop/orders.html", orders=service.history(db.session(), current_user.id)
    )


@bp.get("/winkel/bestelling/<number>/factuur")
@login_required
def invoice(number: str):
    """A printable invoice for a paid order."""
    found = _own_order(number)
    if found.invoice_number is None:
        abort(404)
    lines = service.order_lines(db.session(), found)
    return render_template(
        "shop/invoice.html",
        order=found,
        lines=lines,
        vat=service.order_vat(lines),
        catalogue=service.catalogue(),
    )


@bp.get("/winkel/bestelling/<number>/creditnota/<credit_number>")
@login_required
def credit_note(number: str, credit_number: str):
    """A printable credit note for a refund of an order."""
    found = _own_order(number)
    view = invoices.credit_note_for(db.session(), found, credit_number)
    if view is None:
        abort(404)
    return render_template(
        "shop/credit_note.html", order=found, note=view.note, vat=view.vat, reference=view.reference
    )


def _own_order(number: str):
    found = service.order_for(db.session(), number=number, user_id=current_user.id)
    if found is None:
        abort(404)
    return found


@bp.route("/privacy/bestelling/<number>/corrigeren", methods=["GET", "POST"])
@login_required
def correct_order(number: str):
    """R3 for what was given at checkout; partners that received it are told."""
    s = db.session()
    found = _own_order(number)
    columns = privacy.correctable_columns(found)
    form = order_form(columns)(obj=found)
    if form.validate_on_submit():
        changed = privacy.correct_order(
            s, current_user._get_current_object(), found, {c: form[c].data for c in columns}
        )
        s.commit()
        flash(
            "Je gegevens bij deze bestelling zijn gecorrigeerd."
            + (" We geven de juiste gegevens door aan de partner die ze kreeg." if changed else "")
            if changed
            else "Er was niets veranderd.",
            "ok" if changed else "info",
        )
        return redirect(url_for("privacy.centre"), code=303)
    return render_template("shop/correct_order.html", form=form, order=found), (
        422 if form.errors else 200
    )


def init_app(app: Flask) -> None:
    content.add_source(app, catalogue_module.SOURCE)
    app.register_blueprint(bp)
    add_link(app, Link("main", "shop.catalogue", "Winkel", order=40))
    staff_roles = tuple(role.value for role in staff.STAFF)
    add_link(app, Link("staff", "shop_staff.orders", "Alle bestellingen", roles=staff_roles))
    add_pages(app, sitemap_pages)
    app.register_blueprint(staff.bp)
    app.register_blueprint(fiscal.bp)
    add_link(app, Link("staff", "shop_fiscal.overview", "Fiscaal overzicht", roles=staff_roles))
    app.register_blueprint(partner_staff.bp)
    add_link(
        app, Link("staff", "shop_partners.overview", "Verzending aan partners", roles=staff_roles)
    )
    app.cli.add_command(cli.shop_cli)
    app.cli.add_command(cli.partners_cli)
    delivery.register(app)
    paying.init_app(app)
    add_series_provider(app, statistics.series)
    personal_data.register(
        app, *models.PERSONAL_DATA, handler=privacy.ShopData(), presenters=privacy.PRESENTERS
    )
    add_scope_label(app, "partner:", privacy.consent_label)
    # The title and product of an order line that reveals health (see app.shop.lines).
    # One data key per order seals its health-revealing lines (app.shop.lines).
    crypto.register_column(app, "shop_order_line", "sealed", sealed_by="order_id")
    app.jinja_env.globals.update(
        OrderStatus=OrderStatus,
        HandoffStatus=HandoffStatus,
        product_data=structured_data.product,
        illustration_url=illustrations.url,
    )
    register_provider(app, search.documents, search.version)
    # The header shows the cart count on every page, also on pages served from the page cache.
    pagecache.per_request(app, "cart_count", cart_count)
