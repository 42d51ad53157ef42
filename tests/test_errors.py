"""Unexpected failures are masked and logged; client mistakes stay readable."""

import logging

import pytest

import resolvers.catalog

ITEM_CREATE = """
mutation Create($org: ID!) {
  itemCreate(input: {organization: $org, title: "x"}) { __typename }
}
"""


async def test_unexpected_exception_is_masked_and_logged(gql, factory, monkeypatch, caplog):
    # given an op that fails in a way nobody planned for
    org = await factory.organization()
    member = await factory.member(org, role="EDITOR")

    async def explode(*args, **kwargs):
        raise RuntimeError('relation "secret_table" does not exist: SELECT password_hash')

    monkeypatch.setattr(resolvers.catalog, "create_item", explode)
    # when
    with caplog.at_level(logging.ERROR, logger="trellis.errors"):
        body = await gql(ITEM_CREATE, {"org": _org_id(org)}, token=member.token)
    # then
    assert body["data"] is None
    assert body["errors"][0]["message"] == "Internal error."
    assert "secret_table" not in str(body)
    assert "password_hash" not in str(body)
    assert any("secret_table" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        pytest.param("{ items { nope } }", "Cannot query field 'nope'", id="unknown-field"),
        pytest.param('{ items(first: "x") { totalCount } }', "Int cannot represent", id="bad-type"),
        pytest.param("{ items {", "Syntax Error", id="syntax"),
    ],
)
async def test_client_mistakes_stay_readable(gql, query, fragment):
    body = await gql(query)
    assert fragment in body["errors"][0]["message"]


def _org_id(org):
    from tests.factories import gid

    return gid("Organization", org.id)
