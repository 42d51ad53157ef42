"""Trellis's benchmark harness: `make bench` (or `python -m bench --help`).

It seeds a deterministic dataset into the `trellis_bench` database, starts a real `trellis serve`
process, checks every benchmarked query's answer against the database, drives the server with
wrk (comparing every response body to the verified one), and compares the throughput with a
hand-written psycopg baseline running the same data fetch as one SQL statement per request.

Modules:
    dataset     the dataset: sizes, deterministic ids, seeding, the bench user and its token
    queries     the benchmarked GraphQL documents and their raw-SQL baselines
    expected    the expected answers, computed independently from the database
    compare     key-order-sensitive JSON comparison with readable differences
    server      the Trellis server process and its memory
    wrk         driving the server with wrk (the Lua script checks every response)
    raw         the baseline process (`python -m bench.raw`)
    statements  SQL statements per request, counted in-process
    cli         the orchestration, the table and bench/results/latest.json
"""
