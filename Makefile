# Bianmin: `make run` starts the platform, `make test` runs every test. Both work on a fresh
# machine with only Python 3.11+: the first call creates .venv and installs the pinned packages.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The services are named once, in contracts/src/bianmin/contracts/services.txt (bianmin.contracts.services).
SERVICES := $(shell cat contracts/src/bianmin/contracts/services.txt)
PACKAGES := contracts kit testing gateway $(addprefix svc-,$(SERVICES))
STAMP := $(VENV)/.installed-stamp
PYPROJECTS := $(foreach p,$(PACKAGES),$(p)/pyproject.toml)

.PHONY: install run test test-postgres lint contracts demo clean bench bench-quick

install: $(STAMP)

$(STAMP): constraints.txt requirements-dev.txt $(PYPROJECTS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt \
		$(foreach p,$(PACKAGES),-e ./$(p)) -r requirements-dev.txt
	touch $(STAMP)

run: install
	$(BIN)/python tools/run.py

test: install
	$(BIN)/python -m pytest

# The database tests again, on PostgreSQL only (BIANMIN_TEST_POSTGRES_URL names the server).
test-postgres: install
	$(BIN)/python -m pytest -m db -k postgresql

lint: install
	$(BIN)/ruff check .

contracts: install
	$(BIN)/python tools/export_contracts.py

demo: install
	$(BIN)/python tools/demo.py

# The benchmark harness (bench/README.md); BENCH_DATABASE=postgres runs it on the local PostgreSQL.
bench: install
	$(BIN)/python -m bench run

bench-quick: install
	$(BIN)/python -m bench run --quick

clean:
	rm -rf $(VENV) var

# Fuzzing: schemathesis over every operation of the gateway's merged OpenAPI document (its own routes
# and every service's), sent through the gateway in one process as an admin and as a township key, and
# hypothesis over the parsers of untrusted bytes. `make test` runs them with BIANMIN_FUZZ_EXAMPLES=1;
# CI uses FUZZ_EXAMPLES=10 (5 min 16 s on a loaded two-core box); the default here is 100 valid and
# 100 invalid cases per operation and caller, the "few hundred" of a real run (about ten times as long).
.PHONY: fuzz reliability
FUZZ_EXAMPLES ?= 100
fuzz: install
	BIANMIN_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/test_fuzz.py tests/test_parsers_fuzz.py -q

# The fault suite against real processes (tests/reliability/__main__.py's docstring); RELIABILITY=quick is CI's setting.
# Fault 4 starts a private PostgreSQL (initdb + pg_ctl on a free port, never the server on 5432) for
# credit, and is skipped when no PostgreSQL binaries are installed; fault 8 mounts a small tmpfs for
# credit's database and is skipped where mounting is refused. RELIABILITY_FAULTS=4 runs one fault.
reliability: install
	$(BIN)/python -m tests.reliability
