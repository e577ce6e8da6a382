"""A content folder of the test's own, so each test controls exactly what editors committed."""

import shutil
from pathlib import Path

import pytest
import yaml

from tests.conftest import PROJECT_ROOT, Client, build_app

BASE = {
    "title": "Een artikel",
    "summary": "Korte samenvatting.",
    "topics": ["zorg"],
    "tags": ["respijtzorg"],
    "published": "2026-01-10",
}


class ContentFolder:
    def __init__(self, root: Path) -> None:
        self.root = root
        for folder in ("artikelen", "videos", "paginas"):
            (root / folder).mkdir(parents=True)
        shutil.copy(PROJECT_ROOT / "content" / "site.toml", root / "site.toml")
        shutil.copytree(PROJECT_ROOT / "content" / "vragenlijsten", root / "vragenlijsten")
        shutil.copytree(PROJECT_ROOT / "content" / "winkel", root / "winkel")

    def write(
        self, rel: str, front: dict | None = None, body: str = "Tekst van het stuk.\n", **fields
    ) -> Path:
        data = {**BASE, **(front or {}), **fields}
        data = {k: v for k, v in data.items() if v is not None}
        path = self.root / rel
        path.write_text(
            "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False) + "---\n\n" + body,
            encoding="utf-8",
        )
        return path

    def write_raw(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.write_text(text, encoding="utf-8")
        return path


@pytest.fixture
def content(tmp_path) -> ContentFolder:
    return ContentFolder(tmp_path / "content")


@pytest.fixture
def hub_app(tmp_path, database_url, content):
    app = build_app(tmp_path, database_url, CONTENT_DIR=str(content.root))
    app.test_client_class = Client
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture
def hub(hub_app) -> Client:
    return hub_app.test_client()
