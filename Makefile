# Entry points for a fresh clone: `make demo`, `make test` and `make run`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint typecheck pytest run demo bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
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

clean:
	rm -rf $(VENV) *.egg-info
