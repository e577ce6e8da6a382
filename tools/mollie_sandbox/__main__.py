"""`python -m tools.mollie_sandbox run --port 5001`: the fake Mollie of `make run`."""

from tools.mollie_sandbox.server import sandbox_cli

sandbox_cli(prog_name="python -m tools.mollie_sandbox")
