# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install demo test bench clean

install: $(STAMP)

# (Re)install when the venv is missing or the package metadata changed.
$(STAMP): setup.cfg pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# Shows what the tool finds in samples/. The CLI's exit codes are for scripts:
# the demo prints them and itself succeeds.
demo: $(STAMP)
	@for f in samples/*.xlsx samples/*.csv; do \
	  echo; echo "=== compliance validate $$f"; \
	  $(BIN)/compliance validate "$$f"; echo "(exit code $$?)"; \
	done

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/read.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
