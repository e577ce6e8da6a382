"""Imports every model module, so `SQLModel.metadata` knows all tables (Alembic, tests)."""

from __future__ import annotations

from sqlmodel import SQLModel

from app.accounts import models as _accounts  # noqa: F401
from app.assistant import models as _assistant  # noqa: F401
from app.audit import models as _audit  # noqa: F401
from app.consent import models as _consent  # noqa: F401
from app.dashboard import models as _dashboard  # noqa: F401
from app.disclosures import models as _disclosures  # noqa: F401
from app.helpline import models as _helpline  # noqa: F401
from app.jobs import models as _jobs  # noqa: F401
from app.newsletter import models as _newsletter  # noqa: F401
from app.payments import models as _payments  # noqa: F401
from app.privacy import models as _privacy  # noqa: F401
from app.profile import models as _profile  # noqa: F401
from app.shop import models as _shop  # noqa: F401

metadata = SQLModel.metadata
