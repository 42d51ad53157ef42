# Trellis: `make run` serves the API with demo data, `make test` runs the whole suite.
# Both bootstrap everything they need (virtual environment, packages, embedded PostgreSQL).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# GraphiQL's assets: npm packages pinned by the lock file, bundled into dist/ (both git-ignored).
GRAPHIQL := graph/server/graphiql
GRAPHIQL_BUILT := $(GRAPHIQL)/dist/manifest.json
HOST   ?= 127.0.0.1
PORT   ?= 8000
WORKERS ?= 1

.PHONY: install run test lint format typecheck schema migrate migration bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# Without npm the API still works and /graphql in a browser explains what is missing; the
# build is retried on the next make (no manifest, no stamp).
$(GRAPHIQL_BUILT): $(GRAPHIQL)/package.json $(GRAPHIQL)/package-lock.json $(GRAPHIQL)/build.mjs $(wildcard $(GRAPHIQL)/src/*)
	@if command -v npm >/dev/null 2>&1; then \
		echo "npm ci && npm run build in $(GRAPHIQL)"; \
		npm ci --prefix $(GRAPHIQL) --ignore-scripts --no-audit --no-fund --loglevel=error && \
		npm run --prefix $(GRAPHIQL) --silent build; \
	else \
		echo "error: npm not found, GraphiQL's assets were not built (the API works without them)." >&2; \
		echo "       Install Node.js 20+ with npm, then run make again." >&2; \
	fi

install: $(STAMP) $(GRAPHIQL_BUILT)

run: install
	$(BIN)/trellis migrate
	$(BIN)/trellis seed
	@# A job worker beside the server, stopped when the server stops (Ctrl-C included).
	@$(BIN)/trellis worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/trellis serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: install
	$(BIN)/mypy .

schema: install
	$(BIN)/trellis schema > schema.graphql

migrate: install
	$(BIN)/trellis migrate

# make migration name="add projects": autogenerate a revision from the models.
migration: install
	$(BIN)/python -m graph.admin.cli migrate
	$(BIN)/python -c "from graph.admin.migrations import revision; revision('$(name)')"

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache $(GRAPHIQL)/node_modules $(GRAPHIQL)/dist
