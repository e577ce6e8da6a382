"""The shop registers its orders as payables on each app, not in a module: two apps each have
their own, a second registration is refused, and payments without one says so."""

import pytest
from flask import Flask

from app.payments import payables
from app.shop.paying import OrderPayables
from tests.conftest import build_app


def test_each_app_has_its_own_payables(tmp_path, database_url):
    first = build_app(tmp_path / "een", database_url)
    second = build_app(tmp_path / "twee", database_url)
    try:
        registered = first.extensions[payables.KEY]
        assert isinstance(registered, OrderPayables)
        assert second.extensions[payables.KEY] is not registered
        with first.app_context():
            assert payables.payables() is registered
        with pytest.raises(RuntimeError, match="already"):
            payables.register(first, OrderPayables())
    finally:
        first.extensions["db_engine"].dispose()
        second.extensions["db_engine"].dispose()
    with Flask("zonder").app_context(), pytest.raises(RuntimeError, match="no feature"):
        payables.payables()
