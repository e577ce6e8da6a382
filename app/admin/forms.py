"""The administrator's forms."""

from __future__ import annotations

from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired

from app.accounts.forms import EMAIL_MESSAGE
from app.admin.service import GRANTABLE
from app.forms import SiteForm, clean_text, max_length


class FindForm(SiteForm):
    email = StringField(
        "E-mailadres van het account",
        filters=[clean_text],
        description=(
            "Het hele adres: beheerders kunnen niet door de accounts van mantelzorgers bladeren."
        ),
        render_kw={"autocomplete": "off", "inputmode": "email"},
        validators=[DataRequired(EMAIL_MESSAGE), max_length(254)],
    )


class RoleForm(SiteForm):
    role = RadioField(
        "Rol",
        choices=[SelectChoice(role.value, role.label) for role in GRANTABLE],
        validate_choice=False,
        validators=[
            DataRequired("Kies een rol."),
            AnyOf([role.value for role in GRANTABLE], "Kies een van de rollen uit de lijst."),
        ],
    )
