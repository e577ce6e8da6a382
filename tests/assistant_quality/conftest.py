"""The quality sets run on a shared starter index per sentence encoder: the site's default
(`use`) and the one it can be set to (`e5`); every test runs once for each."""

import pytest

from tests.conftest import Client, build_app, build_starter_index

ENCODERS = ("use", "e5")


@pytest.fixture(scope="session")
def starter_indexes(tmp_path_factory):
    built: dict[str, object] = {}

    def index(encoder: str):
        if encoder not in built:
            folder = tmp_path_factory.mktemp(f"quality-index-{encoder}")
            built[encoder] = build_starter_index(folder, encoder=encoder)
        return built[encoder]

    return index


@pytest.fixture(params=ENCODERS)
def encoder(request) -> str:
    return request.param


@pytest.fixture
def app(tmp_path, database_url, starter_indexes, encoder):
    app = build_app(
        tmp_path,
        database_url,
        SEARCH_INDEX_DIR=str(starter_indexes(encoder)),
        SEARCH_SEMANTIC=True,
        SEARCH_ENCODER=encoder,
    )
    app.test_client_class = Client
    yield app
    app.extensions["search_index"].close()
    app.extensions["db_engine"].dispose()
