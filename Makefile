# Two entry points for a fresh clone: `make test` and `make run` (later `make demo`).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint typecheck pytest run bench clean

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

bench: $(STAMP)
	$(BIN)/python -m bench.org_memory --out docs/benchmarks.md
	$(BIN)/python -m bench.delivery --out docs/benchmarks.md
	$(BIN)/python -m bench.checkin_inbound --out docs/benchmarks.md

clean:
	rm -rf $(VENV) *.egg-info
