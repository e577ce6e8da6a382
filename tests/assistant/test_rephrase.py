"""The optional language model (issue 16, point 12): off by default; when on, it rephrases only
a quoted passage, its text is used only when it cites the given source and nothing else, it is
labelled, and the quote stays. The endpoint is a real HTTP server on this machine that answers
like an OpenAI-compatible chat API (no model can run here)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.config import ConfigError, load_settings
from tests.assistant.test_chat import HTMX, ask, text_of
from tests.conftest import Client, build_app

QUESTION = "hoe vraag ik respijtzorg aan? bel me op 06 12345678"


class FakeModel:
    """A chat endpoint whose next answer the test sets; it keeps every request it got."""

    def __init__(self) -> None:
        self.answer: str | None = "Je vraagt respijtzorg aan bij je gemeente [1]."
        self.status = 200
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (the standard library's name)
                length = int(self.headers.get("Content-Length", 0))
                fake.requests.append(
                    {
                        "path": self.path,
                        "auth": self.headers.get("Authorization"),
                        "body": json.loads(self.rfile.read(length)),
                    }
                )
                payload = json.dumps(
                    {"choices": [{"message": {"role": "assistant", "content": fake.answer}}]}
                ).encode()
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def model():
    fake = FakeModel()
    yield fake
    fake.close()


@pytest.fixture
def llm_app(tmp_path, database_url, starter_index, model):
    app = build_app(
        tmp_path,
        database_url,
        SEARCH_INDEX_DIR=str(starter_index),
        ASSISTANT_LLM_URL=model.url,
        ASSISTANT_LLM_MODEL="zorg-klein",
        ASSISTANT_LLM_KEY="geheim-sleuteltje",
        ASSISTANT_LLM_PROCESSOR="Voorbeeld Rekencentrum B.V.",
    )
    app.test_client_class = Client
    yield app
    app.extensions["search_index"].close()
    app.extensions["db_engine"].dispose()


def test_off_by_default_nothing_is_sent_and_nothing_is_labelled(client, model):
    html = text_of(ask(client, QUESTION, headers=HTMX))
    assert "Dit staat in" in html and "AI-gegenereerd" not in html
    assert model.requests == []


def test_on_the_passage_is_rephrased_labelled_and_the_quote_stays(llm_app, model):
    client = llm_app.test_client()
    html = text_of(ask(client, QUESTION, headers=HTMX))
    assert 'data-ai-generated="true"' in html and "AI-gegenereerd" in html
    assert "Je vraagt respijtzorg aan bij je gemeente [1]." in html
    assert "Dit staat in" in html and "blockquote" in html  # the source stays beside it
    [sent] = model.requests
    assert sent["path"] == "/v1/chat/completions"
    assert sent["auth"] == "Bearer geheim-sleuteltje"
    assert sent["body"]["model"] == "zorg-klein"
    user_message = sent["body"]["messages"][-1]["content"]
    assert "[telefoonnummer]" in user_message and "12345678" not in user_message
    assert "[1] " in user_message  # the numbered passage
    # The page shown again asks the model nothing new.
    text_of(client.get("/assistent"))
    assert len(model.requests) == 1


@pytest.mark.parametrize(
    "answer",
    [
        "Je vraagt het aan bij je gemeente.",  # cites nothing
        "Je vraagt het aan bij je gemeente [1] of bij het zorgkantoor [2].",  # cites more
        "",
        "x [1]" * 400,  # far too long
    ],
)
def test_an_answer_that_does_not_cite_only_the_passage_is_not_used(llm_app, model, answer):
    model.answer = answer
    html = text_of(ask(llm_app.test_client(), QUESTION, headers=HTMX))
    assert "AI-gegenereerd" not in html and "Dit staat in" in html
    assert len(model.requests) == 1


def test_a_model_that_fails_leaves_the_quote(llm_app, model):
    model.status = 500
    html = text_of(ask(llm_app.test_client(), QUESTION, headers=HTMX))
    assert "AI-gegenereerd" not in html and "Dit staat in" in html
    model.close()  # now nobody answers at that address at all
    html = text_of(ask(llm_app.test_client(), "wat is een pgb", headers=HTMX))
    assert "AI-gegenereerd" not in html


def test_personal_data_in_the_models_text_is_masked(llm_app, model):
    model.answer = "Bel de gemeente op 030 123 4567 [1]."
    html = text_of(ask(llm_app.test_client(), QUESTION, headers=HTMX))
    assert "AI-gegenereerd" in html and "030 123 4567" not in html
    assert "[telefoonnummer]" in html


@pytest.mark.parametrize("question", ["ik wil er niet meer zijn", "Ben je een mens?", "zzzqqq"])
def test_crisis_human_and_unsure_replies_never_go_to_the_model(llm_app, model, question):
    ask(llm_app.test_client(), question, headers=HTMX)
    assert model.requests == []


def test_the_statement_names_the_processor_only_when_the_option_is_on(client, llm_app):
    assert "taalmodel" not in text_of(client.get("/privacy-verklaring"))
    html = text_of(llm_app.test_client().get("/privacy-verklaring"))
    assert "taalmodel van Voorbeeld Rekencentrum B.V." in html
    assert "verwerkersovereenkomst" in html


def test_the_setting_needs_a_web_address_and_a_processor(tmp_path):
    base = {"APP_ENV": "test", "INSTANCE_DIR": str(tmp_path)}
    with pytest.raises(ConfigError, match="ASSISTANT_LLM_PROCESSOR"):
        load_settings({**base, "ASSISTANT_LLM_URL": "http://127.0.0.1:9/v1"})
    with pytest.raises(ConfigError, match="https"):
        load_settings({**base, "ASSISTANT_LLM_URL": "ftp://model.example.eu"})
    settings = load_settings(
        {
            **base,
            "ASSISTANT_LLM_URL": "https://model.example.eu/v1/",
            "ASSISTANT_LLM_PROCESSOR": "X",
        }
    )
    assert settings.assistant_llm_url == "https://model.example.eu/v1"
    assert load_settings(base).assistant_llm_url is None
