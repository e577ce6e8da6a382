"""Assistant fixtures: one search index of the starter content, built once and shared."""

import pytest

from tests.conftest import Client, build_app


@pytest.fixture(scope="session")
def starter_index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("assistant-index")
    app = build_app(
        folder, f"sqlite:///{folder / 'unused.db'}", SEARCH_INDEX_DIR=str(folder / "index")
    )
    with app.app_context():
        from app.search import service

        service.reindex(full=True)
    app.extensions["search_index"].close()
    app.extensions["db_engine"].dispose()
    return folder / "index"


@pytest.fixture
def app(tmp_path, database_url, starter_index):
    app = build_app(tmp_path, database_url, SEARCH_INDEX_DIR=str(starter_index))
    app.test_client_class = Client
    yield app
    app.extensions["search_index"].close()
    app.extensions["db_engine"].dispose()
