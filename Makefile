# The two commands of the README. Both create .venv and install the project when needed.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
FLASK := $(BIN)/flask --app app.wsgi
# `make run PORT=8000 SANDBOX_PORT=8001` when 5000 or 5001 is taken: links in e-mail and the
# Mollie endpoint follow (unless PUBLIC_BASE_URL or MOLLIE_API_ENDPOINT are set explicitly).
PORT ?= 5000
SANDBOX_PORT ?= 5001
RUN_ENV := PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://127.0.0.1:$(PORT)} \
	MOLLIE_API_ENDPOINT=$${MOLLIE_API_ENDPOINT:-http://127.0.0.1:$(SANDBOX_PORT)}

.PHONY: run test lint format clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

run: $(STAMP)
	$(FLASK) db upgrade
	$(FLASK) demo load
	$(FLASK) shop sync
	$(FLASK) search reindex
	@echo "Mollie sandbox on http://127.0.0.1:$(SANDBOX_PORT), the site on http://127.0.0.1:$(PORT), e-mail in instance/outbox (Ctrl+C stops all)"
	@$(BIN)/python -m tools.mollie_sandbox run --port $(SANDBOX_PORT) & sandbox=$$!; \
		$(RUN_ENV) $(FLASK) jobs work & worker=$$!; \
		trap 'kill $$sandbox $$worker 2>/dev/null' EXIT INT TERM; \
		$(RUN_ENV) $(FLASK) run --host 127.0.0.1 --port $(PORT)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(FLASK) content check
	$(BIN)/pytest -n auto --dist loadscope

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
