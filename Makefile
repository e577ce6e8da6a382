# The two commands of the README. Both create .venv and install the project when needed.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
FLASK := $(BIN)/flask --app app.wsgi

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
	@echo "Mollie sandbox on http://127.0.0.1:5001, the site on http://127.0.0.1:5000, e-mail in instance/outbox (Ctrl+C stops all)"
	@$(BIN)/python -m tools.mollie_sandbox run --port 5001 & sandbox=$$!; \
		$(FLASK) jobs work & worker=$$!; \
		trap 'kill $$sandbox $$worker 2>/dev/null' EXIT INT TERM; \
		$(FLASK) run --host 127.0.0.1 --port 5000

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(FLASK) content check
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
