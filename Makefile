# The interpreter the virtualenv is made from (`make install PYTHON=...` to choose): the
# distribution's own Python when it is 3.11 or newer and can make a virtualenv — Debian builds
# it with profile-guided optimisation and LTO, as the production image's python:3.11-slim is
# built, while pyenv's default build (no --enable-optimizations) serves the same requests with
# ~15 % more CPU (benchmarks/RESULTS.md, session 32) — else python3 on the PATH.
SYSTEM_PYTHON := /usr/bin/python3
PYTHON ?= $(shell $(SYSTEM_PYTHON) -c 'import sys, ensurepip; ensurepip.version(); sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && echo $(SYSTEM_PYTHON) || echo python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint install messages clean-db otp

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 以上が必要です")'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	./scripts/run.sh

test: $(STAMP)
	@if ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then $(PY) manage.py compilemessages -v0 --ignore=.venv; fi
	$(PY) scripts/check_system.py || true
	$(VENV)/bin/pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

messages: $(STAMP)
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=var
	$(PY) manage.py compilemessages --ignore=.venv

clean-db:
	rm -f var/tsunagu.sqlite3

# Current two-factor code of a demo user: make otp USER=kakaricho
otp: $(STAMP)
	$(PY) manage.py demo_otp $(USER)
