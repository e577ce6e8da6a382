"""`/cijfers`: Zorggenoot in cijfers, the published figures with charts and CSV files."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, abort, render_template, url_for

from app import db
from app.core import statistics
from app.core.navigation import Link, add_link
from app.core.sitemap import Entry, add_pages
from app.dashboard import chart, cli, models, service

bp = Blueprint("dashboard", __name__)


@bp.get("/cijfers")
def figures():
    """Every published table, each with its chart and a link to its CSV file."""
    tables = service.tables(db.session())
    return render_template(
        "dashboard/figures.html",
        tables=[(table, chart.layout(table)) for table in tables],
        total=models.TOTAL,
        month_label=service.month_label,
    )


@bp.get("/cijfers/<key>.csv")
def download(key: str):
    """One published table as CSV."""
    table = next((t for t in service.tables(db.session()) if t.key == key), None)
    if table is None:
        abort(404)
    return Response(
        "\ufeff" + service.csv_text(table),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="zorggenoot-{key}.csv"'},
    )


def _sitemap() -> list[Entry]:
    return [Entry(url_for("dashboard.figures"))]


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.cli.add_command(cli.stats_cli)
    add_link(app, Link("footer", "dashboard.figures", "Zorggenoot in cijfers", order=45))
    add_pages(app, _sitemap)
    statistics.add_counting_table(
        app, statistics.CountingTable(models.PublishedCell.__tablename__, "month", "Cijfers")
    )
