"""`python -m bench` (`make bench`): correctness first, then throughput against a baseline.

1. Seed (or reuse) the deterministic dataset in `trellis_bench`; mint the bench user's token.
2. Compute every query's expected answer from the database (`bench.expected`), and check that
   each raw-SQL baseline returns exactly that.
3. Count SQL statements per request in-process.
4. Start `trellis serve`, fetch each query once and compare it with the expected answer; a
   query answered wrongly is reported (path, expected, actual) and not benchmarked.
5. For each run and query: wrk warm-up, wrk measurement (every response body compared with the
   verified one), server RSS; then the baseline process for the same warm-up and duration.
6. Print the table (medians over runs) and write bench/results/latest.json.

Exit status: 0 when every query was answered correctly, every run was valid and every baseline
answered as verified; else 1.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg

from bench import raw, server, wrk
from bench.compare import differences
from bench.dataset import (
    BENCH_USER_ID,
    DATASET_VERSION,
    EXPECTED_COUNTS,
    bench_url,
    mint_token,
    prepare,
    psycopg_dsn,
)
from bench.expected import Reader
from bench.queries import QUERIES, BenchQuery, select
from bench.statements import count_statements
from graph.auth import hash_token
from graph.settings import get_settings

RESULTS_DIR = Path(__file__).resolve().parent / "results"
MIB = 1024 * 1024


def say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


@dataclass
class QueryResult:
    query: BenchQuery
    expected: dict[str, Any] | None = None
    statements: int | None = None
    statement_texts: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # Trellis answered wrongly
    baseline_problems: list[str] = field(default_factory=list)
    baseline_sha256: str | None = None
    baseline_answer: Any = None
    actual: Any = None  # Trellis's answer over HTTP
    verified_body: bytes | None = None
    warmups: list[wrk.WrkResult] = field(default_factory=list)
    runs: list[wrk.WrkResult] = field(default_factory=list)
    raw_runs: list[dict[str, Any]] = field(default_factory=list)
    rss_after_runs: list[int] = field(default_factory=list)

    @property
    def correct(self) -> bool:
        return not self.problems

    def _all_wrk(self) -> list[wrk.WrkResult]:
        return self.warmups + self.runs

    @property
    def mismatches(self) -> int:
        return sum(r.mismatches for r in self._all_wrk())

    @property
    def non200(self) -> int:
        return sum(r.non200 for r in self._all_wrk())

    @property
    def socket_errors(self) -> int:
        return sum(r.socket_errors for r in self._all_wrk())

    @property
    def empty_runs(self) -> int:
        """Measured runs in which no request completed (the duration is too short)."""
        return sum(1 for r in self.runs if r.requests == 0)

    @property
    def valid(self) -> bool:
        """Answered correctly, measured, and every response was the verified one."""
        return (
            self.correct
            and bool(self.runs)
            and not self.empty_runs
            and all(r.clean for r in self._all_wrk())
        )

    def median(self, attribute: str) -> float | None:
        if not self.runs:
            return None
        return statistics.median(float(getattr(r, attribute)) for r in self.runs)

    @property
    def raw_requests_per_second(self) -> float | None:
        if not self.raw_runs:
            return None
        return statistics.median(float(r["requests_per_second"]) for r in self.raw_runs)

    @property
    def ratio(self) -> float | None:
        trellis, baseline = self.median("requests_per_second"), self.raw_requests_per_second
        if trellis is None or not baseline:
            return None
        return trellis / baseline

    @property
    def status(self) -> str:
        if not self.correct:
            return "WRONG"
        if not self.runs:
            return "skipped"
        return "ok" if self.valid else "INVALID"

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.query.name,
            "title": self.query.title,
            "status": self.status,
            "correct": self.correct,
            "valid": self.valid,
            "requests_per_second": self.median("requests_per_second"),
            "p50_ms": self.median("p50_ms"),
            "p99_ms": self.median("p99_ms"),
            "statements_per_request": self.statements,
            "raw_requests_per_second": self.raw_requests_per_second,
            "ratio": self.ratio,
            "mismatches": self.mismatches,
            "non200": self.non200,
            "socket_errors": self.socket_errors,
            "problems": self.problems,
            "baseline_problems": self.baseline_problems,
            "response_bytes": len(self.verified_body) if self.verified_body else None,
            "statements": self.statement_texts,
            "runs": [r.as_dict() for r in self.runs],
            "warmups": [r.as_dict() for r in self.warmups],
            "raw_runs": self.raw_runs,
            "server_rss_mib_after_runs": [rss / MIB for rss in self.rss_after_runs],
        }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark Trellis against a hand-written SQL baseline, correctness first.",
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds measured (default 10)")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up (default 3)")
    parser.add_argument("--connections", type=int, default=16, help="concurrency (default 16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument(
        "--queries",
        type=lambda s: [n for n in s.split(",") if n.strip()],
        default=None,
        help=f"comma-separated subset of {','.join(q.name for q in QUERIES)} (default: all)",
    )
    parser.add_argument("--runs", type=int, default=1, help="repeat N times, report medians")
    parser.add_argument("--reseed", action="store_true", help="drop and re-seed the dataset")
    parser.add_argument(
        "--no-baseline", action="store_true", help="skip the raw-SQL baseline process"
    )
    parser.add_argument(
        "--output", type=Path, default=RESULTS_DIR / "latest.json", help="the JSON results file"
    )
    args = parser.parse_args(argv)
    for name in ("duration", "warmup", "connections", "threads", "runs"):
        minimum = 0 if name == "warmup" else 1
        if getattr(args, name) < minimum:
            parser.error(f"--{name} must be at least {minimum}")
    try:
        args.selected = select(args.queries)
    except ValueError as exc:
        parser.error(str(exc))
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    queries: list[BenchQuery] = args.selected
    results = [QueryResult(q) for q in queries]
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    for stale in (*RESULTS_DIR.glob("*.expected.json"), *RESULTS_DIR.glob("*.actual.json")):
        stale.unlink()

    wrk_path = wrk.ensure_wrk(say)
    url = bench_url()
    say(f"database {url.database} on {url.host or url.query.get('host') or 'localhost'}")
    seeded = prepare(url, reseed=args.reseed, say=say)
    say("dataset seeded" if seeded else f"dataset {DATASET_VERSION} present: seeding skipped")
    token = mint_token(url)
    dsn = psycopg_dsn(url)

    say("computing expected answers and checking the baselines ...")
    check_expected_and_baselines(dsn, hash_token(token), results)

    say("counting SQL statements per request (in-process) ...")
    counts = count_statements(url, token, queries)
    for result in results:
        count = counts[result.query.name]
        result.statements = count.count
        result.statement_texts = count.statements
        in_process = [] if count.status == 200 else [f"HTTP status {count.status}"]
        in_process += differences(result.expected, count.response)
        result.problems += [f"(in-process) {problem}" for problem in in_process]

    say("starting the server ...")
    srv = server.start(url, RESULTS_DIR / "server.log")
    rss_idle = srv.rss_bytes()
    max_rss = rss_idle

    def sample() -> None:
        nonlocal max_rss
        max_rss = max(max_rss, srv.rss_bytes())

    try:
        for result in results:
            verify_over_http(srv, token, result)
        benchmarked = [r for r in results if r.correct]
        for run in range(args.runs):
            for result in benchmarked:
                name = result.query.name
                say(
                    f"run {run + 1}/{args.runs} {name}: wrk warm-up {args.warmup}s, "
                    f"measure {args.duration}s at {args.connections} connections"
                )
                workdir = RESULTS_DIR / "wrk" / name
                options: dict[str, Any] = {
                    "connections": args.connections,
                    "threads": args.threads,
                    "sample": sample,
                }
                if args.warmup:
                    result.warmups.append(
                        wrk.run(wrk_path, srv.graphql_url, workdir, seconds=args.warmup, **options)
                    )
                measured = wrk.run(
                    wrk_path, srv.graphql_url, workdir, seconds=args.duration, **options
                )
                result.runs.append(measured)
                rss = srv.rss_bytes()
                result.rss_after_runs.append(rss)
                max_rss = max(max_rss, rss)
                if not measured.clean:
                    say(
                        f"{name}: INVALID run: {measured.mismatches} mismatches, "
                        f"{measured.non200} non-200, {measured.socket_errors} socket errors"
                    )
                if not args.no_baseline and not result.baseline_problems:
                    say(f"run {run + 1}/{args.runs} {name}: raw baseline")
                    result.raw_runs.append(run_baseline(dsn, hash_token(token), result, args))
    finally:
        srv.stop()

    load = (load_before, os.getloadavg()[0])
    report = build_report(
        args, results, rss_idle=rss_idle, max_rss=max_rss, seeded=seeded, load=load
    )
    report["elapsed_seconds"] = round(time.monotonic() - started, 1)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print_table(results, max_rss, load)
    print_problems(results)
    print(f"\nresults: {args.output}")
    return 0 if report["ok"] else 1


def check_expected_and_baselines(dsn: str, token_hash: str, results: list[QueryResult]) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        reader = Reader(conn, BENCH_USER_ID)
        for result in results:
            query = result.query
            result.expected = {"data": query.expected(reader)}
            if any(value is None for value in result.expected["data"].values()):
                raise RuntimeError(f"{query.name}: the expected answer is null: is the dataset OK?")
            params = {**query.raw_params, "token_hash": token_hash}
            row = conn.execute(query.raw_sql, params).fetchone()
            answer = json.loads(row[0]) if row and isinstance(row[0], str) else None
            result.baseline_answer = answer
            result.baseline_problems = differences(result.expected, answer)
            if result.baseline_problems:
                say(f"{query.name}: the raw baseline answers wrongly; it will not be run")
            else:
                assert row is not None
                result.baseline_sha256 = raw.digest(row[0])


def verify_over_http(srv: server.Server, token: str, result: QueryResult) -> None:
    """Fetch the query once from the real server; keep the body if it is the right answer."""
    query = result.query
    request = json.dumps(query.request_body()).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    response = httpx.post(srv.graphql_url, content=request, headers=headers, timeout=60)
    try:
        actual: Any = response.json()
    except ValueError:
        actual = response.text
    result.actual = actual
    problems = [] if response.status_code == 200 else [f"HTTP status {response.status_code}"]
    problems += differences(result.expected, actual)
    if problems:
        result.problems += problems
        name = query.name.lower()
        (RESULTS_DIR / f"{name}.expected.json").write_text(
            json.dumps(result.expected, indent=2, ensure_ascii=False) + "\n"
        )
        (RESULTS_DIR / f"{name}.actual.json").write_text(
            json.dumps(actual, indent=2, ensure_ascii=False) + "\n"
        )
        say(f"{query.name}: WRONG answer from Trellis; not benchmarked")
        return
    result.verified_body = response.content
    wrk.write_inputs(
        RESULTS_DIR / "wrk" / query.name, request=request, token=token, expected=response.content
    )


def run_baseline(
    dsn: str, token_hash: str, result: QueryResult, args: argparse.Namespace
) -> dict[str, Any]:
    command = [
        sys.executable, "-m", "bench.raw", "--query", result.query.name,
        "--token-hash", token_hash, "--connections", str(args.connections),
        "--warmup", str(args.warmup), "--duration", str(args.duration),
    ]  # fmt: skip
    completed = subprocess.run(
        command,
        env={**os.environ, raw.DSN_ENV: dsn},
        capture_output=True,
        text=True,
        timeout=args.warmup + args.duration + 120,
        cwd=Path(__file__).resolve().parent.parent,
    )
    line = next(
        (ln for ln in completed.stdout.splitlines() if ln.startswith(raw.RESULT_PREFIX)), None
    )
    if completed.returncode != 0 or line is None:
        raise RuntimeError(f"the baseline process failed:\n{completed.stdout}{completed.stderr}")
    outcome: dict[str, Any] = json.loads(line[len(raw.RESULT_PREFIX) :])
    if outcome["sha256"] != result.baseline_sha256:
        result.baseline_problems.append("the baseline process answered other than verified")
    if outcome["mismatches"]:
        result.baseline_problems.append(f"{outcome['mismatches']} baseline answers differed")
    return outcome


# ---------------------------------------------------------------------------------------------
# Reporting


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


COLUMNS = (
    ("query", "<", 34),
    ("req/s", ">", 9),
    ("p50 ms", ">", 8),
    ("p99 ms", ">", 8),
    ("stmts/req", ">", 9),
    ("raw req/s", ">", 10),
    ("ratio", ">", 7),
    ("mismatch", ">", 8),
    ("non200", ">", 6),
    ("status", "<", 7),
)


def table_lines(results: list[QueryResult], max_rss: int, load: tuple[float, float]) -> list[str]:
    def line(cells: list[str]) -> str:
        return "  ".join(
            f"{c:{align}{width}}" for c, (_, align, width) in zip(cells, COLUMNS, strict=True)
        )

    lines = [line([c[0] for c in COLUMNS]), line(["-" * c[2] for c in COLUMNS])]
    for r in results:
        ratio = r.ratio
        lines.append(
            line(
                [
                    f"{r.query.name} {r.query.title}",
                    _fmt(r.median("requests_per_second")),
                    _fmt(r.median("p50_ms"), 2),
                    _fmt(r.median("p99_ms"), 2),
                    "-" if r.statements is None else str(r.statements),
                    _fmt(r.raw_requests_per_second),
                    "-" if ratio is None else f"{ratio:.1%}",
                    str(r.mismatches),
                    str(r.non200),
                    r.status,
                ]
            )
        )
    lines.append(f"server max RSS: {max_rss / MIB:.1f} MiB")
    cpus = os.cpu_count() or 1
    busy = " (busy machine: numbers are noisy)" if max(load) > cpus / 2 else ""
    lines.append(f"load average {load[0]:.1f} before, {load[1]:.1f} after, {cpus} CPUs{busy}")
    return lines


def print_table(results: list[QueryResult], max_rss: int, load: tuple[float, float]) -> None:
    print()
    for text in table_lines(results, max_rss, load):
        print(text)


def print_problems(results: list[QueryResult]) -> None:
    for r in results:
        if r.problems:
            print(f"\n{r.query.name} ({r.query.title}) is answered WRONGLY by Trellis:")
            print(f"  query:     {r.query.document}")
            if r.query.variables:
                print(f"  variables: {json.dumps(r.query.variables)}")
            for problem in r.problems:
                print(f"  - {problem}")
            name = r.query.name.lower()
            print(f"  full answers: {RESULTS_DIR / name}.expected.json, {name}.actual.json")
            if r.actual is not None and r.actual == r.baseline_answer:
                print(
                    "  note: Trellis and the raw baseline agree with each other: "
                    "check the expected answer (bench/expected.py) too"
                )
        if r.baseline_problems:
            print(f"\n{r.query.name}: the raw baseline is wrong (fix bench/queries.py):")
            for problem in r.baseline_problems:
                print(f"  - {problem}")
        if r.runs and not r.valid:
            print(
                f"\n{r.query.name}: INVALID measurement: {r.mismatches} responses differed "
                f"from the verified body, {r.non200} were not HTTP 200, "
                f"{r.socket_errors} socket errors/timeouts"
            )
            if r.empty_runs:
                print(
                    f"  {r.empty_runs} measured run(s) completed no request: "
                    "use a longer --duration or fewer --connections"
                )


def _git() -> dict[str, Any]:
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return {}
    return {"commit": commit, "dirty": bool(dirty)}


def build_report(
    args: argparse.Namespace,
    results: list[QueryResult],
    *,
    rss_idle: int,
    max_rss: int,
    seeded: bool,
    load: tuple[float, float],
) -> dict[str, Any]:
    settings = get_settings()
    return {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "git": _git(),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_before": load[0],
            "load_average_after": load[1],
        },
        "config": {
            "duration_seconds": args.duration,
            "warmup_seconds": args.warmup,
            "connections": args.connections,
            "wrk_threads": args.threads,
            "runs": args.runs,
            "server_workers": 1,
            "pool_size": settings.pool_size,
            "mode": settings.mode,
            "baseline": not args.no_baseline,
        },
        "dataset": {"version": DATASET_VERSION, "seeded_now": seeded, "rows": EXPECTED_COUNTS},
        "server_rss_mib": {"idle": rss_idle / MIB, "max": max_rss / MIB},
        "ok": all(r.valid and not r.baseline_problems for r in results),
        "queries": [r.as_dict() for r in results],
        "table": table_lines(results, max_rss, load),
    }
