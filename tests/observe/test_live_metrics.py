"""The live side's metrics on a real server: open WebSockets and subscriptions while they
last, and the lag of the changes delivered to them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import URL

from tests.factories import Factory, gid
from tests.servers import running_server
from tests.subscriptions.client import socket

pytestmark = pytest.mark.slow

CHANGES = """
subscription($org: ID!) { changes(filter: {organizationId: $org}) { cursor entityType } }
"""
ITEM_CREATE = """
mutation($org: ID!) {
  itemCreate(input: {organization: $org, title: "Watched"}) { __typename }
}
"""


async def _gauges(base: str) -> dict[str, float]:
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"{base}/metrics", timeout=30)).text
    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name
        in (
            "trellis_websocket_connections",
            "trellis_subscriptions",
            "trellis_change_delivery_lag_seconds_count",
        )
    }


async def test_websockets_subscriptions_and_delivery_lag(
    database_url: URL, tmp_path: Path, factory: Factory
) -> None:
    # given: a member of an organization, and a server
    org = await factory.organization()
    member = await factory.member(org)
    org_id = gid("Organization", org.id)
    with running_server(database_url, tmp_path, env={"TRELLIS_DATA_DIR": str(tmp_path)}) as base:
        idle = await _gauges(base)
        # when: a subscriber follows the organization's changes and one is made
        async with socket(base, token=member.token) as sock:
            await sock.subscribe("s", CHANGES, {"org": org_id})
            await asyncio.sleep(0.5)  # the subscription registered with the hub
            async with httpx.AsyncClient() as client:
                made = await client.post(
                    f"{base}/graphql",
                    json={"query": ITEM_CREATE, "variables": {"org": org_id}},
                    headers={"Authorization": f"Bearer {member.token}"},
                    timeout=30,
                )
            assert made.json()["data"]["itemCreate"]["__typename"] == "ItemSuccess"
            event = await sock.next("s")
            assert event["changes"]["entityType"] == "Item"
            live = await _gauges(base)
        # then: counted while open, and not after
        for _ in range(100):
            after = await _gauges(base)
            if after["trellis_websocket_connections"] == 0:
                break
            await asyncio.sleep(0.1)
    assert idle["trellis_websocket_connections"] == idle["trellis_subscriptions"] == 0
    assert live["trellis_websocket_connections"] == live["trellis_subscriptions"] == 1
    assert live["trellis_change_delivery_lag_seconds_count"] >= 1
    assert after["trellis_websocket_connections"] == after["trellis_subscriptions"] == 0
