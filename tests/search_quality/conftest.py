"""The quality test runs on the same shared starter index as the search tests."""

from tests.search.conftest import app, search_app, starter_index  # noqa: F401
