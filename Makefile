# ptv-analyse — every target sets up what it needs from a machine with only python3.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
YEAR ?=
LANG_REPORT ?= nb

.PHONY: setup test test-fast report lint format typecheck bench lab clean browser poppler

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name ptv-analyse --display-name "Python (ptv-analyse)" >/dev/null
	touch $(STAMP)

## browser: Debian's chromium for the PDF and the browser test (installed with apt-get when missing).
browser:
	@sh scripts/ensure-chromium

## poppler: pdftotext/pdfinfo for the PDF test (installed with apt-get when missing).
poppler:
	@sh scripts/ensure-poppler

## test: the whole suite (unit, reliability, notebooks, browser) from a fresh clone.
test: setup browser poppler
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	OPENBLAS_NUM_THREADS=1 $(BIN)/python -m pytest

## test-fast: everything except notebook runs and the browser test.
test-fast: setup
	$(BIN)/python -m pytest -m "not slow and not browser"

## report: run every notebook for YEAR on the embedded data; write reports/YEAR/index.html and report.pdf.
report: setup browser
	$(BIN)/ptv report $(if $(YEAR),--year $(YEAR)) --lang $(LANG_REPORT) --pdf

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: setup
	$(BIN)/mypy

## bench: benchmarks print ratios against a baseline measured in the same run.
bench: setup
	$(BIN)/python bench/run_all.py

## lab: JupyterLab with the project's kernel.
lab: setup
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/

clean:
	rm -rf $(VENV) .cache reports .pytest_cache .ruff_cache .mypy_cache
