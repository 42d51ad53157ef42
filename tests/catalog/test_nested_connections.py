"""Connections under a node: organization.items, tag.items and item.tags, paged per parent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.catalog.conftest import error_codes, item_ids, node_ids
from tests.factories import gid

T0 = datetime(2024, 1, 1, tzinfo=UTC)

ORGANIZATIONS_ITEMS = """
query OrganizationsItems {
  organizations(orderBy: [{field: SLUG}]) {
    nodes {
      slug
      items(first: 2) {
        totalCount
        edges { node { id } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}
"""

ORGANIZATIONS_ITEMS_VARIABLE = """
query OrganizationsItemsVariable($first: Int) {
  organizations { nodes { items(first: $first) { nodes { id } } } }
}
"""

ITEMS_TAGS_ALIASED = """
query ItemsTagsAliased($filter: TagFilter) {
  items(orderBy: [{field: TITLE}]) {
    nodes {
      title
      first: tags(first: 1) { nodes { name } }
      backwards: tags(orderBy: [{field: NAME, direction: DESC}]) { nodes { name } }
      filtered: tags(filter: $filter) { totalCount }
    }
  }
}
"""

DEEP = """
query Deep {
  organizations {
    nodes {
      items(orderBy: [{field: TITLE}]) {
        nodes { title tags { nodes { name items { totalCount nodes { title } } } } }
      }
    }
  }
}
"""

ITEMS_WITH_TAGS = """
query ItemsWithTags {
  items(orderBy: [{field: TITLE}]) {
    nodes { title tags(first: 2) { totalCount nodes { name } } }
  }
}
"""

ORGANIZATION_ITEMS_AFTER = """
query OrganizationItemsAfter($id: ID!, $first: Int, $after: String) {
  node(id: $id) {
    ... on Organization {
      items(first: $first, after: $after) {
        edges { node { id } }
        pageInfo { hasNextPage hasPreviousPage }
      }
    }
  }
}
"""

TAG_ITEMS = """
query TagItems($id: ID!, $first: Int, $after: String) {
  node(id: $id) {
    ... on Tag {
      items(first: $first, after: $after) {
        totalCount
        edges { node { id } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}
"""

ITEM_TAGS = """
query ItemTags($id: ID!, $first: Int, $orderBy: [TagOrder!]) {
  node(id: $id) {
    ... on Item {
      tags(first: $first, orderBy: $orderBy) {
        totalCount
        nodes { name }
        pageInfo { hasNextPage }
      }
    }
  }
}
"""


async def test_organization_items_are_paged_per_organization(gql, factory, workspace):
    # given: three organizations of one owner with 3, 1 and 0 items
    owner = workspace.owner
    org_b = await factory.organization(slug="bravo")
    org_c = await factory.organization(slug="charlie")
    await factory.membership(owner.user, org_b)
    await factory.membership(owner.user, org_c)
    in_a = [
        await factory.item(owner.user, workspace.org, created_at=T0 + timedelta(n))
        for n in range(3)
    ]
    in_b = [await factory.item(owner.user, org_b)]
    # when
    body = await gql(ORGANIZATIONS_ITEMS, token=owner.token)
    # then
    orgs = {o["slug"]: o["items"] for o in body["data"]["organizations"]["nodes"]}
    assert list(orgs) == ["acme", "bravo", "charlie"]
    assert node_ids(orgs["acme"]) == item_ids(*in_a[:2])
    assert (orgs["acme"]["totalCount"], orgs["acme"]["pageInfo"]["hasNextPage"]) == (3, True)
    assert node_ids(orgs["bravo"]) == item_ids(*in_b)
    assert (orgs["bravo"]["totalCount"], orgs["bravo"]["pageInfo"]["hasNextPage"]) == (1, False)
    assert orgs["charlie"] == {
        "totalCount": 0,
        "edges": [],
        "pageInfo": {"hasNextPage": False, "endCursor": None},
    }

    # when: the second page of the first organization
    second = await gql(
        ORGANIZATION_ITEMS_AFTER,
        {"id": workspace.org_id, "first": 2, "after": orgs["acme"]["pageInfo"]["endCursor"]},
        token=owner.token,
    )
    # then
    assert second["data"]["node"]["items"] == {
        "edges": [{"node": {"id": gid("Item", in_a[2].id)}}],
        "pageInfo": {"hasNextPage": False, "hasPreviousPage": True},
    }


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        pytest.param("first: 101", "PAGE_SIZE_EXCEEDED", id="page-too-big"),
        pytest.param("first: 1, last: 1", "BAD_PAGE_ARGUMENTS", id="first-and-last"),
        pytest.param('after: "garbage"', "INVALID_CURSOR", id="garbage-cursor"),
        pytest.param('filter: {owner: {eq: "garbage"}}', "INVALID_ID", id="malformed-id"),
    ],
)
@pytest.mark.parametrize("parent", ["organizations", "tags"])
async def test_bad_nested_arguments_under_a_list_are_coded_errors(
    gql, factory, workspace, parent, arguments, code
):
    # given: a parent to page under, so the nested field is resolved
    await factory.tag(workspace.org)
    document = f"query {{ {parent} {{ nodes {{ items({arguments}) {{ nodes {{ id }} }} }} }} }}"
    # when
    body = await gql(document, token=workspace.owner.token)
    # then
    assert error_codes(body) == [code]
    assert body["errors"][0]["message"] != "Internal error."


async def test_nested_page_arguments_may_be_variables(gql, factory, workspace):
    # given
    items = [await factory.item(workspace.owner.user, workspace.org) for _ in range(3)]
    # when
    body = await gql(ORGANIZATIONS_ITEMS_VARIABLE, {"first": 2}, token=workspace.owner.token)
    # then
    assert body == {
        "data": {
            "organizations": {
                "nodes": [{"items": {"nodes": [{"id": gid("Item", i.id)} for i in items[:2]]}}]
            }
        }
    }


async def test_tags_of_every_listed_item(gql, factory, workspace):
    # given
    owner, org = workspace.owner.user, workspace.org
    red, blue, green = [await factory.tag(org, name=n) for n in ("red", "blue", "green")]
    first = await factory.item(owner, org, title="first")
    second = await factory.item(owner, org, title="second")
    await factory.item(owner, org, title="third")
    await factory.tag_item(first, red, blue, green)
    await factory.tag_item(second, green)
    # when
    body = await gql(ITEMS_WITH_TAGS, token=workspace.owner.token)
    # then
    assert body["data"]["items"]["nodes"] == [
        {
            "title": "first",
            "tags": {"totalCount": 3, "nodes": [{"name": "blue"}, {"name": "green"}]},
        },
        {"title": "second", "tags": {"totalCount": 1, "nodes": [{"name": "green"}]}},
        {"title": "third", "tags": {"totalCount": 0, "nodes": []}},
    ]


async def test_tag_items_pages_through_tagged_items_only(gql, factory, workspace):
    # given
    owner = workspace.owner
    tag = await factory.tag(workspace.org, name="urgent")
    tagged = []
    for n in range(3):
        item = await factory.item(owner.user, workspace.org, created_at=T0 + timedelta(n))
        await factory.tag_item(item, tag)
        tagged.append(item)
    await factory.item(owner.user, workspace.org)  # untagged
    # when
    first = await gql(TAG_ITEMS, {"id": gid("Tag", tag.id), "first": 2}, token=owner.token)
    cursor = first["data"]["node"]["items"]["pageInfo"]["endCursor"]
    second = await gql(
        TAG_ITEMS, {"id": gid("Tag", tag.id), "first": 2, "after": cursor}, token=owner.token
    )
    # then
    assert first["data"]["node"]["items"]["totalCount"] == 3
    assert node_ids(first["data"]["node"]["items"]) == item_ids(*tagged[:2])
    assert first["data"]["node"]["items"]["pageInfo"]["hasNextPage"] is True
    assert node_ids(second["data"]["node"]["items"]) == item_ids(tagged[2])
    assert second["data"]["node"]["items"]["pageInfo"]["hasNextPage"] is False


@pytest.mark.parametrize(
    ("variables", "names", "has_next"),
    [
        pytest.param({}, ["blue", "green", "red"], False, id="default-by-name"),
        pytest.param({"first": 2}, ["blue", "green"], True, id="first-2"),
        pytest.param(
            {"orderBy": [{"field": "NAME", "direction": "DESC"}]},
            ["red", "green", "blue"],
            False,
            id="name-desc",
        ),
    ],
)
async def test_item_tags(gql, factory, workspace, variables, names, has_next):
    # given
    item = await factory.item(workspace.owner.user, workspace.org)
    other = await factory.item(workspace.owner.user, workspace.org)
    tags = [await factory.tag(workspace.org, name=n) for n in ("red", "blue", "green", "grey")]
    await factory.tag_item(item, *tags[:3])
    await factory.tag_item(other, tags[3])
    # when
    body = await gql(
        ITEM_TAGS, {"id": gid("Item", item.id), **variables}, token=workspace.owner.token
    )
    # then
    assert body["data"]["node"]["tags"] == {
        "totalCount": 3,
        "nodes": [{"name": n} for n in names],
        "pageInfo": {"hasNextPage": has_next},
    }


async def test_one_relation_under_several_aliases(gql, factory, workspace):
    # given
    owner, org = workspace.owner.user, workspace.org
    red, blue = [await factory.tag(org, name=n) for n in ("red", "blue")]
    first = await factory.item(owner, org, title="first")
    second = await factory.item(owner, org, title="second")
    await factory.tag_item(first, red, blue)
    await factory.tag_item(second, red)
    # when
    body = await gql(
        ITEMS_TAGS_ALIASED, {"filter": {"name": {"eq": "blue"}}}, token=workspace.owner.token
    )
    # then
    assert body["data"]["items"]["nodes"] == [
        {
            "title": "first",
            "first": {"nodes": [{"name": "blue"}]},
            "backwards": {"nodes": [{"name": "red"}, {"name": "blue"}]},
            "filtered": {"totalCount": 1},
        },
        {
            "title": "second",
            "first": {"nodes": [{"name": "red"}]},
            "backwards": {"nodes": [{"name": "red"}]},
            "filtered": {"totalCount": 0},
        },
    ]


async def test_connections_three_levels_deep(gql, factory, workspace):
    # given
    owner, org = workspace.owner.user, workspace.org
    red, blue = [await factory.tag(org, name=n) for n in ("red", "blue")]
    first = await factory.item(owner, org, title="first", created_at=T0)
    second = await factory.item(owner, org, title="second", created_at=T0 + timedelta(1))
    await factory.tag_item(first, red, blue)
    await factory.tag_item(second, red)
    red_items = {"totalCount": 2, "nodes": [{"title": "first"}, {"title": "second"}]}
    blue_items = {"totalCount": 1, "nodes": [{"title": "first"}]}
    # when
    body = await gql(DEEP, token=workspace.owner.token)
    # then
    assert body["data"]["organizations"]["nodes"] == [
        {
            "items": {
                "nodes": [
                    {
                        "title": "first",
                        "tags": {
                            "nodes": [
                                {"name": "blue", "items": blue_items},
                                {"name": "red", "items": red_items},
                            ]
                        },
                    },
                    {"title": "second", "tags": {"nodes": [{"name": "red", "items": red_items}]}},
                ]
            }
        }
    ]
