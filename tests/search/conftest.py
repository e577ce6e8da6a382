"""Search fixtures: one index of the starter content, built once and shared by the tests."""

import pytest

from tests.conftest import Client, build_app, build_starter_index


@pytest.fixture(scope="session")
def starter_index(tmp_path_factory):
    return build_starter_index(tmp_path_factory.mktemp("index"))


@pytest.fixture
def app(tmp_path, database_url, starter_index):
    """In search tests the app reads the shared starter index (so `client`, `login_as` and the
    factories all work on it). The index has its vectors, but the encoder is off here (BM25
    alone) unless a test turns it on: see `semantic_searcher`."""
    app = build_app(tmp_path, database_url, SEARCH_INDEX_DIR=str(starter_index))
    app.test_client_class = Client
    yield app
    app.extensions["search_index"].close()
    app.extensions["db_engine"].dispose()


@pytest.fixture
def search_app(app):
    return app


@pytest.fixture
def searcher(client) -> Client:
    return client


@pytest.fixture
def semantic_searcher(app, client) -> Client:
    """A client of the app with the sentence encoder on (as deployed)."""
    app.config["SEARCH_SEMANTIC"] = True
    return client
