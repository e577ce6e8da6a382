"""The quality set runs on the assistant tests' shared starter index; its figures are printed in
the summary at the end of the run (`make test`), whatever the verbosity."""

from tests.assistant.conftest import app, starter_index  # noqa: F401

# Lines the tests of this folder add as they measure; printed once, after all tests.
SUMMARY: list[str] = []


def pytest_terminal_summary(terminalreporter):
    if SUMMARY:
        terminalreporter.section("assistant quality")
        for line in SUMMARY:
            terminalreporter.write_line(line)
