# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install demo test test-fast bench bench-full clean

install: $(STAMP)

# (Re)install when the venv is missing or the package metadata changed.
$(STAMP): setup.cfg pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# Shows what the tool finds in samples/. The CLI's exit codes are for scripts:
# the demo prints them and itself succeeds. The samples are June 2025 payrolls: their letters are
# dated as a branch would have sent them, in July 2025 (--letter-date), not today.
LETTER_DATE := 2025-07-14
PAYROLLS := $(filter-out samples/registry-%,$(wildcard samples/*.xlsx samples/*.csv))

demo: $(STAMP)
	@for f in $(PAYROLLS); do \
	  echo; echo "=== compliance validate $$f"; \
	  $(BIN)/compliance validate "$$f"; echo "(exit code $$?)"; \
	done
	@for f in $(PAYROLLS); do \
	  echo; echo "=== compliance check $$f"; \
	  $(BIN)/compliance check "$$f"; echo "(exit code $$?)"; \
	done
	@echo; echo "=== compliance check samples/pt-maju-bersama-juni-2025.xlsx --registry samples/registry-maju-bersama-juni-2025.csv --lang en"
	@$(BIN)/compliance check samples/pt-maju-bersama-juni-2025.xlsx \
	  --registry samples/registry-maju-bersama-juni-2025.csv --lang en; echo "(exit code $$?)"
	@rm -f out/register.sqlite*
	@echo; echo "=== compliance check samples/pt-maju-bersama-juni-2025.xlsx --out out/pt-maju-bersama --letter --draft --letter-date $(LETTER_DATE) --register out/register.sqlite"
	@$(BIN)/compliance check samples/pt-maju-bersama-juni-2025.xlsx --out out/pt-maju-bersama --letter --draft \
	  --letter-date $(LETTER_DATE) --register out/register.sqlite > /dev/null; echo "(exit code $$?; open out/pt-maju-bersama/letter.pdf: a draft until the office file names the signer)"
	@echo; echo "=== compliance check samples/cv-sinar-bengkulu-juni-2025.csv --out out/cv-sinar --letter --draft --letter-date $(LETTER_DATE) --register out/register.sqlite"
	@$(BIN)/compliance check samples/cv-sinar-bengkulu-juni-2025.csv --out out/cv-sinar --letter --draft \
	  --letter-date $(LETTER_DATE) --register out/register.sqlite > /dev/null; echo "(exit code $$?)"
	@echo; echo "=== compliance audit samples/branch/kiriman --registry ... --companies ... --licences ... --out out/audit --draft --letter-date $(LETTER_DATE)"
	@rm -rf out/audit
	@$(BIN)/compliance audit samples/branch/kiriman --registry samples/branch/registry-cabang-bengkulu-juni-2025.csv \
	  --companies samples/branch/perusahaan.csv --licences samples/branch/izin-usaha.csv --out out/audit --draft \
	  --letter-date $(LETTER_DATE) --register out/register.sqlite --jobs 2; echo "(exit code $$?; open out/audit/index.html in a browser)"
	@echo; echo "=== compliance cases list --register out/register.sqlite --as-of 2025-07-21"
	@$(BIN)/compliance cases list --register out/register.sqlite --as-of 2025-07-21
	@echo; echo "=== compliance annotate samples/ud-kopi-kepahiang-juni-2025.xlsx --out out/ud-kopi-kepahiang-diperiksa.xlsx"
	@$(BIN)/compliance annotate samples/ud-kopi-kepahiang-juni-2025.xlsx --out out/ud-kopi-kepahiang-diperiksa.xlsx; \
	  echo "(exit code $$?; open it in Excel: the marked cells carry comments)"
	@echo; echo "=== compliance template --out out/template-gaji.xlsx"
	@$(BIN)/compliance template --out out/template-gaji.xlsx
	@echo; echo "The employer's page: .venv/bin/compliance serve, then open http://127.0.0.1:8000/"

test: $(STAMP)
	$(BIN)/python -m pytest

# While working: everything but the slow few (processes, a browser, whole batches; tests/conftest.py).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

# A small branch audit (100 companies, 20,000 workers; about a minute), then the sizes of the
# issues: reading, one company's check, and 100 and 1,000 companies of 1,000 workers each.
bench: $(STAMP)
	$(BIN)/python benchmarks/audit.py --companies 100 --per-company 200

bench-full: $(STAMP)
	$(BIN)/python benchmarks/read.py --gx-rows 1000000
	$(BIN)/python benchmarks/check.py
	$(BIN)/python benchmarks/audit.py --companies 100 1000 --per-company 1000

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
