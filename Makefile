# ssikit: everything is installed from PyPI and npm by these rules; nothing by hand.
#   make test   set up, compile, run every test (pure SDK tests, then Anvil tests)
#   make demo   set up and run the demo on a local Anvil chain
#   make wheel  the SDK's wheel in dist/, with the contracts' artifacts as package data
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
SOLC_VERSION := 0.8.30
SOLC := .solcx/solc-v$(SOLC_VERSION)

# Anvil comes from npm (the optional per-platform package npm installs for this machine) and
# ape-foundry finds it only on PATH; where npm has no build for the platform, the `anvil` of the
# user's own Foundry install is found further along PATH. py-solc-x finds our solc-js shim
# through SOLCX_BINARY_PATH.
export PATH := $(CURDIR)/node_modules/.bin:$(BIN):$(PATH)
export SOLCX_BINARY_PATH := $(CURDIR)/.solcx
export PYTHONDONTWRITEBYTECODE := 1

APE := $(BIN)/ape
PYTEST := $(BIN)/pytest
NETWORK := ethereum:local:foundry

.PHONY: test-contracts test-differential test-invariant test-integration setup postgresql compile artifacts wheel test test-sdk test-chain demo local-index anvil bench-gas bench-services bench-methodology lint format clean

setup: $(VENV)/.installed node_modules/.installed $(SOLC) postgresql

# PostgreSQL's server binaries, for the indexer tests (they start a server of their own);
# nothing is done when some /usr/lib/postgresql/<version>/bin/initdb exists.
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  sudo=$$(test "$$(id -u)" -eq 0 || echo sudo); \
	  $$sudo apt-get update -q && $$sudo apt-get install -y -q postgresql; }

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# A `solc-v<version>` executable for py-solc-x: a shim over solc-js (npm `solc`).
$(SOLC): tools/solc/solc-standard-json.js node_modules/.installed
	mkdir -p .solcx
	printf '#!/bin/sh\nexec node "%s" "$$@"\n' "$(CURDIR)/tools/solc/solc-standard-json.js" > $@
	chmod +x $@
	$@ --version

# Ape's own change detection has missed edited files here, so any change to a contract, the
# config or the compiler forces a full rebuild (about 15 s with solc-js).
CONTRACTS := $(shell find contracts -name '*.sol')
CHAINLINK := .build/chainlink/EACAggregatorProxy.json
ARTIFACTS := sdk/ssikit/artifacts/.written

compile: setup .build/.compiled $(CHAINLINK) $(ARTIFACTS)

.build/.compiled: $(CONTRACTS) ape-config.yaml $(SOLC)
	$(APE) compile --force
	touch $@

# The SDK's package data: ABI and creation bytecode of every contract it deploys or calls (the
# project's, from Ape's manifest; Uniswap V2's and Safe's, from npm), never committed.
artifacts: $(ARTIFACTS)

$(ARTIFACTS): .build/.compiled tools/artifacts.py sdk/ssikit/chain/artifacts.py node_modules/.installed
	$(BIN)/python tools/artifacts.py
	touch $@

# The wheel (pip's own build, isolated: setuptools and wheel come from the package index).
wheel: $(ARTIFACTS)
	rm -rf build dist/ssikit-*.whl
	$(BIN)/pip wheel --quiet --no-deps --wheel-dir dist .

# Chainlink's EACAggregatorProxy and MockV3Aggregator for the feed tests, compiled from the
# sources in npm @chainlink/contracts@0.8.0 with npm solc 0.6.6 (under a second, never committed).
$(CHAINLINK): tools/chainlink/build.js node_modules/.installed
	node tools/chainlink/build.js .build/chainlink

test: lint compile test-sdk test-chain

# Pure SDK tests: no chain, no ape plugin.
test-sdk: setup
	$(PYTEST) -p no:ape_test tests/unit/sdk -q

# Contract, differential and integration tests on Anvil (ape-foundry starts and stops it): two
# groups at once, each on its own node (tools/chain-tests.sh); `make test-chain T=path` runs one path.
test-chain: compile
	$(if $(T),$(APE) test $(T) --network $(NETWORK) -q,tools/chain-tests.sh $(NETWORK))

# Parts of the suite (ape-foundry starts an Anvil for each): `make test-contracts`, `test-differential`,
# `test-invariant`, `test-integration`; `make test-chain T=tests/integration/test_session.py`
# runs any path.
test-contracts test-differential test-invariant test-integration: compile
	$(APE) test $(patsubst test-%,tests/%,$(subst test-contracts,test-unit/contracts,$@)) --network $(NETWORK) -q

demo: compile
	$(APE) run demo --network $(NETWORK)

# MAG7.ssi on the running local node for the README's walkthroughs (after `make anvil`).
local-index: compile
	$(APE) run local_index --network $(NETWORK)

# A local node for the participants' programs (ape-foundry connects to it instead of starting one).
anvil: setup
	anvil --silent

# Measures the key flows' gas on Anvil and writes the committed snapshots/gas.json.
bench-gas: compile
	$(APE) run bench_gas --network $(NETWORK)

# The custodian service's tick and `wlp status` with 100 and 50,000 blocks of history (ratio at
# most 1.3), the indexer's catch-up in blocks per second, and requests settled per minute by one
# service with 100 pending; writes benchmarks/services.json (a few minutes; wall-clock figures).
bench-services: compile
	$(APE) run bench_services --network $(NETWORK)

# The index compiler on the real 2021 CoinGecko set (../shared/data), every preset, and the same
# index through the `bt` library (installed here only); then a SYNTHETIC 10,000-asset × 10-year
# universe (and a tenth and a half of it), each size in a fresh process for its peak memory;
# writes benchmarks/methodology.json (a few minutes).
bench-methodology: setup $(VENV)/.bench-installed
	$(BIN)/python -m ssikit.bench.methodology

$(VENV)/.bench-installed: pyproject.toml constraints.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev,bench]'
	touch $@

# Solidity at 100 columns (prettier-plugin-solidity, .prettierrc.json); `make format` rewrites.
format: setup
	node_modules/.bin/prettier --write 'contracts/**/*.sol'
	$(BIN)/ruff format sdk tests scripts

lint: setup
	node_modules/.bin/prettier --check 'contracts/**/*.sol'
	$(BIN)/mypy
	$(BIN)/ruff check sdk tests scripts
	$(BIN)/ruff format --check sdk tests scripts

clean:
	rm -rf .build .solcx out .pytest_cache sdk/ssikit/artifacts build dist
