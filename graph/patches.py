"""Fixes to libraries, applied at import, each with the reason and a test that fails without it.

graphql-core 3.3.2 runs each subscription event on a shallow copy of the subscription's
executor (`Executor.build_per_event_executor`), so every event shares the memo of
`collect_subfields`, keyed by the identity of field lists that each event creates anew:
the memo grows by a few entries per event for as long as the subscription lives (measured:
~35,000 entries after 20 s of 200 subscribers, and 30-300 ms garbage-collector pauses
scanning them). Each event gets its own memo here. tests/subscriptions/test_patches.py.
"""

from __future__ import annotations

from typing import Any

from graphql.execution.executor import Executor

_build_per_event_executor = Executor.build_per_event_executor


def _per_event_executor(self: Executor[Any], payload: Any) -> Executor[Any]:
    executor = _build_per_event_executor(self, payload)
    executor._relevant_sub_fields = {}
    return executor


# (mypy refuses assigning to a method; replacing it is the point.)
Executor.build_per_event_executor = _per_event_executor  # type: ignore[method-assign]
