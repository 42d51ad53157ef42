"""Real clients against the real API, installed from the npm registry on first use (pinned in
tests/real_clients/package-lock.json, like the graphql-http audit; skipped without Node.js):

- Apollo Client 4 in Node against a running `trellis serve` (tests/real_clients/apollo.mjs):
  PersistedQueryLink on (falling back to sending the query), relayStylePagination with
  fetchMore over two pages, a mutation whose payload updates the cached list without a
  refetch, a GraphQLWsLink subscription receiving an event;
- relay-compiler accepting schema.graphql with `@connection` and `@refetchable` fragments.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import URL

from graph.settings import PROJECT_ROOT
from tests.factories import Factory, gid
from tests.servers import running_server

CLIENTS_DIR = Path(__file__).parent / "real_clients"
NODE = shutil.which("node")
NPM = shutil.which("npm")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        NODE is None or NPM is None, reason="node and npm are needed: install Node.js 20"
    ),
]


@pytest.fixture(scope="module")
def clients_dir() -> Path:
    """tests/real_clients, with its node_modules installed from the lock file."""
    if not (CLIENTS_DIR / "node_modules" / "@apollo" / "client").is_dir():
        assert NPM is not None
        done = subprocess.run(
            [NPM, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=CLIENTS_DIR,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"npm ci failed:\n{done.stdout}\n{done.stderr}"
    return CLIENTS_DIR


@pytest.fixture
def server(database_url: URL, tmp_path: Path) -> Iterator[str]:
    with running_server(database_url, tmp_path, workers=1) as base:
        yield base


def _node(clients: Path, *args: str) -> dict[str, Any]:
    assert NODE is not None
    done = subprocess.run([NODE, *args], cwd=clients, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{args[0]} failed:\n{done.stdout}\n{done.stderr}"
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


async def test_apollo_client(clients_dir: Path, server: str, factory: Factory) -> None:
    # given: an editor's organization with five items
    org = await factory.organization(slug="apollo")
    editor = await factory.member(org, role="EDITOR")
    for title in ("Alpha", "Bravo", "Charlie", "Delta", "Echo"):
        await factory.item(editor.user, org, title=title)
    # when
    seen = _node(clients_dir, "apollo.mjs", f"{server}/graphql", editor.token)
    # then: persisted queries are refused the way the link reads, and it sends the query
    first, second = seen["sent"][0], seen["sent"][1]
    assert first == {
        "operationName": "Items",
        "hasQuery": False,
        "persisted": True,
        "status": 400,  # Apollo Client 4 asks for application/graphql-response+json
    }
    assert second["hasQuery"] is True
    assert second["status"] == 200
    assert all(request["hasQuery"] for request in seen["sent"][1:])
    # ... two pages merged into one list; the second query came from the cache
    assert seen["firstPage"] == ["Alpha", "Bravo"]
    assert seen["cachedAgain"] == ["Alpha", "Bravo"]
    assert seen["afterFetchMore"] == ["Alpha", "Bravo", "Charlie", "Delta"]
    # ... the mutation's payload updated the cached list: one request, no refetch
    assert seen["mutation"] == "ItemSuccess"
    assert seen["requestsForMutation"] == 1
    assert seen["afterMutation"] == ["Alpha (renamed)", "Bravo", "Charlie", "Delta"]
    # ... and the subscription received the change
    assert seen["event"] == {
        "__typename": "ChangeEvent",
        "action": "UPDATE",
        "entityId": seen["eventFor"],
        "node": {"__typename": "Item", "id": seen["eventFor"], "title": "Alpha (renamed)"},
    }
    assert seen["eventFor"] == gid("Item", (await _item_id(factory, "Alpha (renamed)")))


async def _item_id(factory: Factory, title: str) -> Any:
    from sqlalchemy import text

    async with factory.db.read_engine.connect() as conn:
        row = (
            await conn.execute(text("SELECT id FROM items WHERE title = :t"), {"t": title})
        ).one()
    return row[0]


RELAY_FRAGMENTS = """
import { graphql } from "relay-runtime";

export const organizationItems = graphql`
  fragment OrganizationItems_organization on Organization
  @refetchable(queryName: "OrganizationItemsPaginationQuery")
  @argumentDefinitions(
    first: { type: "Int", defaultValue: 10 }
    after: { type: "String" }
  ) {
    name
    items(first: $first, after: $after, orderBy: [{ field: TITLE }])
      @connection(key: "OrganizationItems_items") {
      edges { node { id title tags { nodes { name } } } }
    }
  }
`;

export const itemDetails = graphql`
  fragment ItemDetails_item on Item @refetchable(queryName: "ItemDetailsRefetchQuery") {
    title
    owner { fullName }
  }
`;

export const page = graphql`
  query OrganizationPageQuery($slug: String!) {
    organizationBySlug(slug: $slug) { ...OrganizationItems_organization }
  }
`;

export const rename = graphql`
  mutation OrganizationPageRenameMutation($input: ItemUpdateInput!) {
    itemUpdate(input: $input) {
      __typename
      ... on ItemSuccess { item { ...ItemDetails_item } }
      ... on Error { message code }
    }
  }
`;
"""


def test_relay_compiler_accepts_the_schema(clients_dir: Path, tmp_path: Path) -> None:
    # given: a Relay project over the committed schema.graphql
    src = tmp_path / "src"
    src.mkdir()
    (src / "OrganizationItems.js").write_text(RELAY_FRAGMENTS)
    config = {
        "src": "./src",
        "schema": str(PROJECT_ROOT / "schema.graphql"),
        "language": "javascript",
    }
    (tmp_path / "relay.config.json").write_text(json.dumps(config))
    compiler = clients_dir / "node_modules" / "relay-compiler" / "linux-x64" / "relay"
    if not compiler.exists():
        pytest.skip(f"relay-compiler has no binary for this platform at {compiler}")
    # when
    done = subprocess.run(
        [str(compiler)], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    # then
    assert done.returncode == 0, f"relay-compiler refused it:\n{done.stdout}\n{done.stderr}"
    generated = {p.name for p in (src / "__generated__").iterdir()}
    assert "OrganizationItemsPaginationQuery.graphql.js" in generated
    assert "ItemDetailsRefetchQuery.graphql.js" in generated
    pagination = (src / "__generated__" / "OrganizationItemsPaginationQuery.graphql.js").read_text()
    assert '"node"' in pagination  # refetched through Query.node(id:)
