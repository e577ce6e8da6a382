"""The quality set runs on the assistant tests' shared starter index."""

from tests.assistant.conftest import app, starter_index  # noqa: F401
