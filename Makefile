# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= instance/yeongye.db
HOST ?= 127.0.0.1
PORT ?= 5000
PROCESSES ?= 1

.PHONY: run test install install-test browser-deps demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(DB): | $(VENV)/.installed
	mkdir -p $(dir $(DB))
	$(BIN)/yeongye --db $(DB) demo
	$(BIN)/yeongye --db $(DB) demo-users

demo: $(DB)

run: $(VENV)/.installed $(DB)
	@echo "(데모 계정 비밀번호를 새로 받으려면: $(BIN)/yeongye --db $(DB) demo-users)"
	$(BIN)/yeongye --db $(DB) serve --host $(HOST) --port $(PORT) --processes $(PROCESSES)

# The browser tests need Debian's Chromium and a Korean font: installed here when
# missing (root or password-less sudo), else this stops with the command to run.
browser-deps:
	bash tests/browser-deps.sh

test: $(VENV)/.installed-test browser-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache
