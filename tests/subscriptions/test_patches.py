"""graph/patches.py: each library fix, proven needed and working."""

from __future__ import annotations

from graphql import build_schema, parse
from graphql.execution.executor import Executor

import graph.patches  # noqa: F401

SCHEMA = build_schema("""
type Query { noop: String }
type Event { name: String, tags: [Tag] }
type Tag { label: String }
type Subscription { event: Event }
""")
DOCUMENT = parse("subscription { event { name tags { label } } }")


def test_subscription_events_do_not_grow_the_executors_memo():
    # given: one subscription's executor
    executor = Executor.build(SCHEMA, DOCUMENT)
    assert isinstance(executor, Executor)
    # when: a thousand events, each with a list below its root field
    for n in range(1000):
        payload = {"event": {"name": f"e{n}", "tags": [{"label": "a"}, {"label": "b"}]}}
        result = executor.build_per_event_executor(payload).execute_operation(False)
        assert result.data == {"event": payload["event"]}  # type: ignore[union-attr]
    # then: the subscription's executor holds nothing per event
    assert len(executor._relevant_sub_fields) == 0
