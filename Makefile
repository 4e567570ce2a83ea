# make test: create .venv if missing, install mixmiss with its test and ray extras, run the
#   suite (the Ray tests share one in-process Ray session: one xdist group, --dist loadgroup).
# make test-results: the same set-up, then the checks of the committed results/ files
#   (pytest marker committed_results, left out of `make test`).
# make demo: the same set-up, then `mixmiss demo`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.mixmiss-installed
PYTEST_ARGS ?=

.PHONY: test test-results demo install lint clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch is pinned to 2.13.0 in pyproject.toml: it installs from the local CPU wheel.
	$(BIN)/python -m pip install --quiet -e '.[test,ray]'
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

test-results: $(STAMP)
	$(BIN)/python -m pytest -m committed_results $(PYTEST_ARGS)

demo: $(STAMP)
	$(BIN)/mixmiss demo

lint: $(STAMP)
	$(BIN)/python -m pip install --quiet ruff
	$(BIN)/ruff check src tests

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache
