"""What a start of the site does once and keeps for the next process (app/__init__.py)."""

from tests.conftest import build_app


def test_a_second_start_reads_the_templates_the_first_compiled(tmp_path, database_url):
    first = build_app(tmp_path, database_url)
    page = first.test_client().get("/artikelen/respijtzorg").get_data(as_text=True)
    assert list((tmp_path / "instance" / "templates-compiled").iterdir())
    first.extensions["db_engine"].dispose()

    second = build_app(tmp_path, database_url)
    cache = second.jinja_env.bytecode_cache
    assert cache is not None
    found: list[bool] = []
    load = cache.load_bytecode

    def load_and_note(bucket):
        load(bucket)
        found.append(bucket.code is not None)

    cache.load_bytecode = load_and_note  # type: ignore[method-assign]
    again = second.test_client().get("/artikelen/respijtzorg").get_data(as_text=True)
    assert found and all(found)  # every template of the page came compiled
    assert again.split("<main", 1)[1] == page.split("<main", 1)[1]
    second.extensions["db_engine"].dispose()
