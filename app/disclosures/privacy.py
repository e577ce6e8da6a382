"""The legal disclosures' part in the privacy centre: on the access page, a list of what was
given to which authority (only disclosures the person may be told of), and those authorities
among the recipients of the art. 15 information. The rows themselves are in the category's own
section and file of the download."""

from __future__ import annotations

from sqlmodel import Session

from app.core.personal_data import Asking, DataHandler, Panel
from app.disclosures import service
from app.urls import public_url


class DisclosureData(DataHandler):
    def panels(self, session: Session, asking: Asking) -> list[Panel]:
        rows = service.told(session, asking.user.id)
        if not rows:
            return []
        return [
            Panel(
                key="instanties",
                title="Gegevens die we aan instanties gaven",
                template="disclosures/_privacy_panel.html",
                context={
                    "disclosures": [
                        (row, public_url("disclosures.mine", disclosure_id=row.id)) for row in rows
                    ]
                },
                information={
                    "ontvangers": {
                        "instanties die gegevens van je kregen omdat de wet dat vroeg": sorted(
                            {row.authority for row in rows}
                        )
                    }
                },
                export=False,
            )
        ]
