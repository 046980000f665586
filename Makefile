# Entry points for a fresh clone: `make demo`, `make test` and `make run`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Muster and what it needs to run (demo, run, bench); the test tools on top (test).
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: test lint typecheck pytest run demo bench clean

$(BIN)/python:
	@echo "Creating $(VENV) with $(PY)…"
	@$(PY) -m venv $(VENV)
	@$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	@echo "Installing Muster into $(VENV) (first run only, about a minute)…"
	@$(BIN)/pip install --quiet -e .
	@touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	@echo "Installing the test tools (pytest, ruff, mypy…) into $(VENV) (first run only)…"
	@$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(DEV_STAMP)

test: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo
	$(BIN)/python -m pytest

run: $(STAMP)
	$(BIN)/muster run

# One day of a made-up organisation against a local Bot API stand-in: no token, no network.
DEMO_OUT ?= demo-out
demo: $(STAMP)
	$(BIN)/muster demo --out $(DEMO_OUT)

bench: $(STAMP)
	$(BIN)/python -m bench.org_memory --out docs/benchmarks.md
	$(BIN)/python -m bench.delivery --out docs/benchmarks.md
	$(BIN)/python -m bench.flood --out docs/benchmarks.md
	$(BIN)/python -m bench.checkin_inbound --out docs/benchmarks.md
	$(BIN)/python -m bench.summary --out docs/benchmarks.md
	$(BIN)/python -m bench.dashboard --out docs/benchmarks.md
	$(BIN)/python -m bench.dashboard_directive --out docs/benchmarks.md

clean:
	rm -rf $(VENV) *.egg-info
