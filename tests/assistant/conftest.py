"""Assistant fixtures: one search index of the starter content, built once and shared."""

import pytest

from tests.conftest import Client, build_app, build_starter_index


@pytest.fixture(scope="session")
def starter_index(tmp_path_factory):
    return build_starter_index(tmp_path_factory.mktemp("assistant-index"))


@pytest.fixture
def app(tmp_path, database_url, starter_index):
    app = build_app(
        tmp_path, database_url, SEARCH_INDEX_DIR=str(starter_index), SEARCH_SEMANTIC=True
    )
    app.test_client_class = Client
    yield app
    app.extensions["search_index"].close()
    app.extensions["db_engine"].dispose()
