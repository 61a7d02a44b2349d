# Every target works on a fresh machine: it first builds what it needs.
# Python environment: .venv, from the hash-locked requirements/dev.txt.
# Node tools (Prism): tools/node_modules, from tools/package-lock.json.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Our templates, compiled with the generator's installation (generator/template_code.py),
# and again whenever one of them, or how they are compiled, changes; the methods of the
# dataclasses a run defines (generator/dataclass_code.py), with it and whenever our code
# changes.
BUILT_TEMPLATES := generator/built_templates/names.json
BUILT_METHODS := generator/built_code/worker.bin
BUILT := $(BUILT_TEMPLATES) $(BUILT_METHODS)

.PHONY: generate test unit check lint bench env lock clean goldens prism corpus wire

generate: $(STAMP) $(BUILT)  ## regenerate generated/ from spec/ (a no-op when nothing changed)
	$(PY) -m generator

# All tests: the suite, then the real-world corpus, then every corpus operation on the wire.
test: unit corpus wire  ## every test (about 15 minutes on 2 cores)

unit: $(STAMP) $(BUILT) prism  ## the suite: generator, golden, runtime, contract (Prism), property, bulk, end to end
	$(PY) -m pytest --ignore=tests/wire $(PYTEST_ARGS)

# The real-world documents of ../shared/specs (under 1 MB): every operation called through
# its generated client against Prism mocking that document (about a minute).
wire: $(STAMP) $(BUILT) prism  ## every operation of the corpus on the wire, judged by Prism
	$(PY) -m pytest tests/wire -p no:cacheprovider $(PYTEST_ARGS)

check: $(STAMP) $(BUILT)  ## fail if generated/ is not what the generator makes now
	$(PY) -m generator --check

lint: $(STAMP)  ## ruff and mypy --strict on the generator and the generated client
	$(VENV)/bin/ruff check generator tests bench
	$(VENV)/bin/mypy --strict generator
	cd generated && ../$(VENV)/bin/mypy --strict -p masivo_client

# Every document in ../shared/specs: generates (exit 0), every module imports with only
# httpx and pydantic, ruff F,E9,I and mypy --strict are clean; table in build/corpus/report.md.
SPECS ?= ../shared/specs

corpus: $(STAMP) $(BUILT)  ## real-world documents in, lint-clean importable clients out
	$(PY) tests/corpus/run_corpus.py --specs $(SPECS)

bench: $(STAMP) $(BUILT) .venv-bench/.installed  ## timings and ratios against the peers, in one run
	$(PY) bench/run.py

# The peers live in their own environment so their dependencies never touch ours.
.venv-bench/.installed: requirements/bench.txt
	test -x .venv-bench/bin/python || $(PYTHON) -m venv .venv-bench
	.venv-bench/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/bench.txt
	touch $@

# Prism, the validating mock server the contract tests start (tests/contract/). `npm ci`
# installs exactly tools/package-lock.json; install scripts are off: Prism needs none.
PRISM_STAMP := tools/node_modules/.installed

prism: $(PRISM_STAMP)


$(PRISM_STAMP): tools/package.json tools/package-lock.json
	cd tools && npm ci --ignore-scripts --no-audit --no-fund
	touch $@

env: $(STAMP) $(BUILT)

$(STAMP): requirements/dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

$(BUILT_TEMPLATES): $(STAMP) $(shell find templates -name '*.jinja') generator/render.py generator/template_code.py
	$(PY) -m generator.template_code

$(BUILT_METHODS): $(STAMP) $(wildcard generator/*.py)
	$(PY) -m generator.dataclass_code

lock: $(STAMP)  ## re-resolve requirements/*.txt (hashes, no index URLs) from their sources
	$(PY) -m pip install --quiet uv==0.13.9
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements/dev.txt
	$(VENV)/bin/uv pip compile requirements/bench.in --generate-hashes --python-version 3.11 -o requirements/bench.txt

clean:
	rm -rf $(VENV) tools/node_modules .venv-bench .pytest_cache .mypy_cache .ruff_cache .hypothesis

goldens: $(STAMP) $(BUILT)  ## regenerate generated/ and the fixture goldens in tests/golden/ (review the diff)
	$(PY) tests/update_goldens.py
