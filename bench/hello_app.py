"""The baseline: a bare Flask app that answers 'hello' (what the hardware and gunicorn allow)."""

from flask import Flask

app = Flask(__name__)


@app.get("/hello")
def hello() -> str:
    return "hello"
