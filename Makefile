# StreamStock: the two commands a newcomer needs are `make run` and `make test`.
# Everything they need is installed by this file from PyPI into .venv (uv, with the lock file).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
UV := .tools/bin/uv
VENV := .venv
RUN := $(UV) run --frozen --no-sync
# Our processes fork servers while gRPC runs in them: gRPC's fork handlers can abort the child.
export GRPC_ENABLE_FORK_SUPPORT ?= false

.PHONY: setup run stack status down test generate lint bench baseline clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==0.13.9

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

setup: $(VENV)/.synced

## run: start PostgreSQL, Redis and the four services, then play a live-stream sale on them with a
## live console and a final report (SCENARIO=scenarios/regular.yaml for another; exit 1 when an
## invariant breaks). Joins a stack that `make stack` already runs.
SCENARIO ?= scenarios/flash-sale.yaml
run: setup
	$(RUN) python -m tools.livesale --scenario $(SCENARIO)

## stack: only the stack, on loopback, until Ctrl-C (what `make run` plays against)
stack: setup
	$(RUN) python -m tools.devstack up

## status / down: inspect or stop a stack started by `make stack` or `make run` from another shell
status: setup
	$(RUN) python -m tools.devstack status

down: setup
	$(RUN) python -m tools.devstack down

# The tests that touch Redis run a second time against a three-master Redis Cluster (scale-out
# proof: every key and script must be cluster-safe).
REDIS_TESTS := tests/inventory tests/riskcontrol tests/integration tests/scaleout

## test: lint the contracts and the code, check the generated code, run every test against real servers
test: setup
	$(RUN) buf lint
	$(RUN) ruff check .
	$(RUN) pytest -q
	STREAMSTOCK_TEST_REDIS=cluster $(RUN) pytest -q $(REDIS_TESTS)

## generate: regenerate gen/ from protos/
generate: setup
	$(RUN) python -m tools.contracts

lint: setup
	$(RUN) buf lint
	$(RUN) ruff check .
	$(RUN) lint-imports --no-cache

## bench: the benchmarks (BENCH=inventory for one); figures go to bench/RESULTS.md
bench: setup
	$(RUN) python -m bench $(BENCH)

clean:
	rm -rf .local .pytest_cache .hypothesis

## baseline: publish the current contracts as the baseline for `buf breaking` (its own commit)
baseline: setup
	$(RUN) buf build -o protos/baseline/streamstock.binpb
