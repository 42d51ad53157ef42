"""Reading people: `me`, `users` and a user's memberships, scoped to shared organizations."""

from __future__ import annotations

import pytest

from tests.factories import gid

USERS = "query Users { users { totalCount nodes { email } } }"

USERS_FILTERED = """
query UsersFiltered($filter: UserFilter, $orderBy: [UserOrder!]) {
  users(filter: $filter, orderBy: $orderBy) { nodes { email } }
}
"""

ME = """
query Me {
  me {
    id email fullName isActive
    memberships { nodes { organization { slug } role { name } } }
  }
}
"""

USER_MEMBERSHIPS = """
query UserMemberships($id: ID!) {
  node(id: $id) {
    ... on User { email memberships { nodes { organization { slug } role { name } } } }
  }
}
"""

ROLES = "query Roles { roles { nodes { name rank isBuiltin } } }"


@pytest.fixture
async def world(factory):
    """Ada is in acme and globex; Bob in acme; Carol in globex; Dan in initech only."""
    acme = await factory.organization(slug="acme")
    globex = await factory.organization(slug="globex")
    initech = await factory.organization(slug="initech")
    ada = await factory.member(acme, "OWNER", email="ada@example.com", full_name="Ada")
    await factory.membership(ada.user, globex, "VIEWER")
    bob = await factory.member(acme, "EDITOR", email="bob@example.com")
    carol = await factory.member(globex, "ADMIN", email="carol@example.com")
    dan = await factory.member(initech, "OWNER", email="dan@example.com")
    await factory.membership(bob.user, initech, "VIEWER")
    return {"ada": ada, "bob": bob, "carol": carol, "dan": dan}


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        pytest.param(
            "ada",
            ["ada@example.com", "bob@example.com", "carol@example.com"],
            id="member-of-two-organizations",
        ),
        pytest.param(
            "carol", ["ada@example.com", "carol@example.com"], id="member-of-one-organization"
        ),
        pytest.param(
            "dan", ["bob@example.com", "dan@example.com"], id="shares-only-initech-with-bob"
        ),
    ],
)
async def test_users_are_yourself_and_co_members(gql, world, viewer, expected):
    # when
    body = await gql(
        USERS_FILTERED,
        {"orderBy": [{"field": "EMAIL"}]},
        token=world[viewer].token,
    )
    # then
    assert [u["email"] for u in body["data"]["users"]["nodes"]] == expected


async def test_users_of_a_loner_is_only_themselves(gql, factory, world):
    # given
    loner = await factory.member(email="loner@example.com")
    # when
    body = await gql(USERS, token=loner.token)
    # then
    assert body["data"]["users"] == {"totalCount": 1, "nodes": [{"email": "loner@example.com"}]}


async def test_users_anonymous_is_empty(gql, world):
    # when
    body = await gql(USERS)
    # then
    assert body["data"]["users"] == {"totalCount": 0, "nodes": []}


async def test_users_filter_cannot_reach_outsiders(gql, world):
    # when
    body = await gql(
        USERS_FILTERED,
        {"filter": {"email": {"in": ["dan@example.com", "bob@example.com"]}}},
        token=world["ada"].token,
    )
    # then
    assert body["data"]["users"]["nodes"] == [{"email": "bob@example.com"}]


async def test_an_outsider_by_id_is_null(gql, world):
    # when
    body = await gql(USER_MEMBERSHIPS, {"id": world["dan"].id}, token=world["ada"].token)
    # then
    assert body == {"data": {"node": None}}


async def test_me_lists_my_memberships(gql, world):
    # when
    body = await gql(ME, token=world["ada"].token)
    # then
    me = body["data"]["me"]
    assert (me["id"], me["email"], me["fullName"], me["isActive"]) == (
        world["ada"].id,
        "ada@example.com",
        "Ada",
        True,
    )
    assert sorted(
        (m["organization"]["slug"], m["role"]["name"]) for m in me["memberships"]["nodes"]
    ) == [("acme", "OWNER"), ("globex", "VIEWER")]


async def test_a_co_members_memberships_show_only_shared_organizations(gql, world):
    # when
    body = await gql(USER_MEMBERSHIPS, {"id": world["bob"].id}, token=world["ada"].token)
    # then
    assert body["data"]["node"] == {
        "email": "bob@example.com",
        "memberships": {"nodes": [{"organization": {"slug": "acme"}, "role": {"name": "EDITOR"}}]},
    }


async def test_memberships_of_a_deleted_organization_disappear(gql, factory, sql, world):
    # given
    await sql("UPDATE organizations SET deleted_at = now() WHERE slug = 'globex'")
    # when
    me = await gql(ME, token=world["ada"].token)
    users = await gql(USERS_FILTERED, {"orderBy": [{"field": "EMAIL"}]}, token=world["ada"].token)
    # then
    assert [
        (m["organization"]["slug"], m["role"]["name"])
        for m in me["data"]["me"]["memberships"]["nodes"]
    ] == [("acme", "OWNER")]
    assert [u["email"] for u in users["data"]["users"]["nodes"]] == [
        "ada@example.com",
        "bob@example.com",
    ]


async def test_roles_lists_the_built_in_roles_strongest_first(gql, world):
    # when
    body = await gql(ROLES, token=world["ada"].token)
    # then
    assert body["data"]["roles"]["nodes"] == [
        {"name": "OWNER", "rank": 100, "isBuiltin": True},
        {"name": "ADMIN", "rank": 80, "isBuiltin": True},
        {"name": "EDITOR", "rank": 50, "isBuiltin": True},
        {"name": "VIEWER", "rank": 10, "isBuiltin": True},
    ]


async def test_a_users_id_round_trips_through_node(gql, world):
    # given
    ada = world["ada"]
    # when
    body = await gql(USER_MEMBERSHIPS, {"id": gid("User", ada.user.id)}, token=ada.token)
    # then
    assert body["data"]["node"]["email"] == "ada@example.com"
