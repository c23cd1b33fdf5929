# Two commands on a fresh clone: `make run` and `make test`. Only Python 3.11+ and make are needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: install run test lint bench clean

$(STAMP): pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/mockserver --host $(HOST) --port $(PORT) $(ARGS)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n auto --dist worksteal -rs

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP)
	$(BIN)/python bench/overit_batch.py
	$(BIN)/python bench/oracle_readings.py
	$(BIN)/python bench/energycap_readings.py
	$(BIN)/python bench/energycap_channel_edit.py
	$(BIN)/python bench/tesma_bulk_patch.py
	$(BIN)/python bench/workers.py
	$(BIN)/python bench/loop_under_import.py
	$(BIN)/python bench/yaml_alias_bomb.py

clean:
	rm -rf $(VENV) build *.egg-info
