"""The WSGI entry point: `gunicorn app.wsgi:app` (production) and `flask --app app.wsgi` (CLI)."""

import sys

from app import create_app
from app.config import ConfigError

try:
    app = create_app()
except ConfigError as error:
    # One clear line, no traceback: the operator sees what to fix.
    print(f"Configuration refused: {error}", file=sys.stderr)
    raise SystemExit(1) from None
