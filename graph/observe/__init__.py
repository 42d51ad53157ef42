"""Observability: the per-request record (record.py), Prometheus metrics (metrics.py),
OpenTelemetry traces (tracing.py) and log lines (logs.py). Infrastructure beside
graph/settings.py: it imports nothing of the GraphQL side, which reports to it."""

import os
import shutil
from pathlib import Path

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"


def prepare_directory(directory: Path) -> None:
    """Empty ``directory`` and point this process and its children at it for their metrics
    (graph/observe/metrics.py): before any of them imports prometheus_client's metrics."""
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    os.environ[MULTIPROCESS_ENV] = str(directory)
