# Two commands on a fresh clone: `make run` and `make test`. Only Python 3.11+ and make are needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8080
# One pytest worker more than cores: much of the suite waits on sockets, servers and subprocesses, so a spare
# worker keeps every core busy (on 2 cores: 165 s instead of 183 s).
TEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print((os.cpu_count() or 1) + 1)')

.PHONY: install run test lint bench bench-one clean

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
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal -rs

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Side by side with Prism first (installed into .cache/prism from npm on first use), then the mock's own figures.
bench: $(STAMP)
	$(BIN)/python bench/side_by_side.py
	$(BIN)/python bench/overit_batch.py
	$(BIN)/python bench/oracle_readings.py
	$(BIN)/python bench/energycap_readings.py
	$(BIN)/python bench/energycap_channel_edit.py
	$(BIN)/python bench/tesma_bulk_patch.py
	$(BIN)/python bench/workers.py --tenants 16
	$(BIN)/python bench/loop_under_import.py
	$(BIN)/python bench/yaml_alias_bomb.py

# One request type against Prism, e.g. `make bench-one REQUEST=oracle-get` (names: bench/request_types.py).
REQUEST ?= overit-batch
bench-one: $(STAMP)
	$(BIN)/python bench/side_by_side.py --no-workers --only $(REQUEST)

clean:
	rm -rf $(VENV) build *.egg-info
