"""The WSGI entry point: `gunicorn app.wsgi:app` (production) and `flask --app app.wsgi` (CLI)."""

import gc
import sys

# Start-up makes hundreds of thousands of objects that live as long as the process (models,
# routes, templates) and almost no garbage, so the collector's full passes over them found
# almost nothing and cost about a tenth of every start. Off while the app is built; what it built
# is then set aside (gc.freeze), so later collections skip it too.
gc.disable()
try:
    from app import create_app
    from app.config import ConfigError

    try:
        app = create_app()
    except ConfigError as error:
        # One clear line, no traceback: the operator sees what to fix.
        print(f"Configuration refused: {error}", file=sys.stderr)
        raise SystemExit(1) from None
finally:
    gc.freeze()
    gc.enable()
