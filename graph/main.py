"""`uvicorn graph.main:app`: the application with settings from the environment."""

import gc

from graph.app import create_app

app = create_app()

# A request allocates many short-lived objects (nodes, GraphQL results) and few cycles:
# collect the young generation less often than every 700 allocations (measured: fewer
# stalls in p99 with no growth in memory over a run).
gc.set_threshold(20_000, 20, 50)
