"""Writing properties and their media: success, each typed error, permissions, and that a
refused mutation writes nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.catalog.conftest import (
    PAYLOAD_ERRORS,
    Workspace,
    denied,
    invalid,
    not_found,
    refused,
    without_message,
)
from tests.factories import gid
from tests.realty.conftest import create_media, create_property, realty_rows, realty_snapshot

PROPERTY_FIELDS = """
    id title address city area latitude longitude propertyType bedrooms bathrooms sizeSqft
    price status updatedAt organization { id }
"""

PROPERTY_CREATE = f"""
mutation PropertyCreate($input: PropertyCreateInput!) {{
  propertyCreate(input: $input) {{
    __typename
    ... on PropertySuccess {{ property {{ {PROPERTY_FIELDS} }} }}
    {PAYLOAD_ERRORS}
  }}
}}
"""

PROPERTY_UPDATE = f"""
mutation PropertyUpdate($input: PropertyUpdateInput!) {{
  propertyUpdate(input: $input) {{
    __typename
    ... on PropertySuccess {{ property {{ {PROPERTY_FIELDS} }} }}
    {PAYLOAD_ERRORS}
  }}
}}
"""

PROPERTY_DELETE = f"""
mutation PropertyDelete($input: PropertyDeleteInput!) {{
  propertyDelete(input: $input) {{
    __typename
    ... on PropertyDeleteSuccess {{ deletedId }}
    {PAYLOAD_ERRORS}
  }}
}}
"""

MEDIA_ADD = f"""
mutation MediaAdd($input: MediaAddInput!) {{
  mediaAdd(input: $input) {{
    __typename
    ... on MediaSuccess {{ media {{ id type url metaData property {{ id }} }} }}
    {PAYLOAD_ERRORS}
  }}
}}
"""

MEDIA_REMOVE = f"""
mutation MediaRemove($input: MediaRemoveInput!) {{
  mediaRemove(input: $input) {{
    __typename
    ... on MediaRemoveSuccess {{ deletedId }}
    {PAYLOAD_ERRORS}
  }}
}}
"""

PROPERTY = "query($id: ID!) { property(id: $id) { title price bedrooms status } }"


def _new(ws: Workspace, **overrides: Any) -> dict[str, Any]:
    return {
        "organization": ws.org_id,
        "title": "Sunny Loft",
        "address": "1 River Road",
        "price": "250000.00",
        **overrides,
    }


# ---------------------------------------------------------------------------------------------
# propertyCreate


@pytest.mark.parametrize("role", ["OWNER", "ADMIN", "EDITOR"])
async def test_property_create(gql, factory, workspace, role):
    # given
    member = await factory.member(workspace.org, role)
    data = _new(
        workspace, title="  Sunny Loft  ", city="Lisbon", area="Alfama", latitude=38.71,
        longitude=-9.13, propertyType="apartment", bedrooms=2, bathrooms=1, sizeSqft=850,
        price="249999.99", status="UNDER_OFFER",
    )  # fmt: skip
    # when
    body = await gql(PROPERTY_CREATE, {"input": data}, token=member.token)
    # then
    payload = body["data"]["propertyCreate"]
    assert payload["__typename"] == "PropertySuccess"
    created = payload["property"]
    assert {k: v for k, v in created.items() if k not in ("id", "updatedAt")} == {
        "title": "Sunny Loft", "address": "1 River Road", "city": "Lisbon", "area": "Alfama",
        "latitude": 38.71, "longitude": -9.13, "propertyType": "apartment", "bedrooms": 2,
        "bathrooms": 1, "sizeSqft": 850, "price": "249999.99", "status": "UNDER_OFFER",
        "organization": {"id": workspace.org_id},
    }  # fmt: skip
    stored = await gql(PROPERTY, {"id": created["id"]}, token=workspace.viewer.token)
    assert stored["data"]["property"] == {
        "title": "Sunny Loft", "price": "249999.99", "bedrooms": 2, "status": "UNDER_OFFER"
    }  # fmt: skip


async def test_property_create_defaults(gql, workspace):
    # when
    body = await gql(PROPERTY_CREATE, {"input": _new(workspace)}, token=workspace.editor.token)
    # then
    created = body["data"]["propertyCreate"]["property"]
    assert (created["status"], created["bedrooms"], created["bathrooms"], created["sizeSqft"]) == (
        "ACTIVE", 0, 0, None
    )  # fmt: skip
    assert (created["propertyType"], created["price"]) == ("house", "250000.00")


INVALID_CREATE = {
    "negative-price": ({"price": "-1"}, ["price"], "OUT_OF_RANGE"),
    "price-three-decimals": ({"price": "10.001"}, ["price"], "INVALID_FORMAT"),
    "price-too-large": ({"price": "1000000000000"}, ["price"], "OUT_OF_RANGE"),
    "price-nan": ({"price": "NaN"}, ["price"], "INVALID"),
    "negative-bedrooms": ({"bedrooms": -1}, ["bedrooms"], "OUT_OF_RANGE"),
    "negative-bathrooms": ({"bathrooms": -2}, ["bathrooms"], "OUT_OF_RANGE"),
    "negative-size": ({"sizeSqft": -10}, ["sizeSqft"], "OUT_OF_RANGE"),
    "latitude-out-of-range": ({"latitude": 91.0}, ["latitude"], "OUT_OF_RANGE"),
    "longitude-out-of-range": ({"longitude": -181.0}, ["longitude"], "OUT_OF_RANGE"),
    "blank-title": ({"title": "  "}, ["title"], "REQUIRED"),
    "long-title": ({"title": "x" * 301}, ["title"], "TOO_LONG"),
    "blank-address": ({"address": ""}, ["address"], "REQUIRED"),
    "bad-organization-id": ({"organization": "nope"}, ["organization"], "INVALID_ID"),
}


@pytest.mark.parametrize(("patch", "path", "code"), INVALID_CREATE.values(), ids=INVALID_CREATE)
async def test_property_create_refuses_invalid_input(gql, db, workspace, patch, path, code):
    # given
    before = await realty_rows(db)
    # when
    body = await gql(
        PROPERTY_CREATE, {"input": _new(workspace, **patch)}, token=workspace.editor.token
    )
    # then
    assert without_message(body["data"]["propertyCreate"]) == invalid(path, code)
    assert await realty_rows(db) == before


async def test_property_create_reports_every_problem_at_once(gql, db, workspace):
    # when
    body = await gql(
        PROPERTY_CREATE,
        {"input": _new(workspace, price="-5", bedrooms=-1, sizeSqft=-1)},
        token=workspace.editor.token,
    )
    # then
    assert without_message(body["data"]["propertyCreate"]) == refused(
        "ValidationError", "VALIDATION", path=[], fields=[
            {"path": ["price"], "code": "OUT_OF_RANGE"},
            {"path": ["bedrooms"], "code": "OUT_OF_RANGE"},
            {"path": ["sizeSqft"], "code": "OUT_OF_RANGE"},
        ],
    )  # fmt: skip
    assert (await realty_rows(db))["properties"] == 0


async def test_viewer_cannot_create_a_property(gql, db, workspace):
    # when
    body = await gql(PROPERTY_CREATE, {"input": _new(workspace)}, token=workspace.viewer.token)
    # then
    assert without_message(body["data"]["propertyCreate"]) == denied("item:create")
    assert (await realty_rows(db))["properties"] == 0


async def test_non_member_cannot_create_a_property(gql, db, factory, workspace):
    # given
    stranger = await factory.member()
    # when
    body = await gql(PROPERTY_CREATE, {"input": _new(workspace)}, token=stranger.token)
    # then
    assert without_message(body["data"]["propertyCreate"]) == not_found(
        ["organization"], workspace.org_id
    )
    assert (await realty_rows(db))["properties"] == 0


async def test_anonymous_cannot_create_a_property(gql, db, workspace):
    # when
    body = await gql(PROPERTY_CREATE, {"input": _new(workspace)})
    # then: told to sign in (tests/test_client_errors.py: every mutation alike)
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
    assert (await realty_rows(db))["properties"] == 0


# ---------------------------------------------------------------------------------------------
# propertyUpdate


@pytest.fixture
async def loft(db, workspace):
    return await create_property(
        db, workspace.org, title="Loft", price=Decimal("200000.00"), bedrooms=2
    )


@pytest.mark.parametrize(
    ("patch", "changed"),
    [
        pytest.param({}, {}, id="nothing"),
        pytest.param({"price": "199999.5"}, {"price": "199999.50"}, id="price"),
        pytest.param({"bedrooms": 3, "status": "SOLD"}, {"bedrooms": 3, "status": "SOLD"},
                     id="bedrooms-and-status"),
        pytest.param({"title": " Big Loft "}, {"title": "Big Loft"}, id="title"),
    ],
)  # fmt: skip
async def test_property_update_changes_only_given_fields(gql, workspace, loft, patch, changed):
    # given
    prop_id = gid("Property", loft.id)
    # when
    body = await gql(
        PROPERTY_UPDATE, {"input": {"id": prop_id, **patch}}, token=workspace.editor.token
    )
    # then
    assert body["data"]["propertyUpdate"]["__typename"] == "PropertySuccess"
    stored = await gql(PROPERTY, {"id": prop_id}, token=workspace.viewer.token)
    unchanged = {"title": "Loft", "price": "200000.00", "bedrooms": 2, "status": "ACTIVE"}
    assert stored["data"]["property"] == unchanged | changed


async def test_property_update_clears_optional_fields_with_null(gql, db, workspace):
    # given
    prop = await create_property(db, workspace.org, city="Lisbon", size_sqft=500)
    # when
    body = await gql(
        PROPERTY_UPDATE,
        {"input": {"id": gid("Property", prop.id), "city": None, "sizeSqft": None}},
        token=workspace.editor.token,
    )
    # then
    updated = body["data"]["propertyUpdate"]["property"]
    assert (updated["city"], updated["sizeSqft"]) == (None, None)


INVALID_UPDATE = {
    "negative-price": ({"price": "-0.01"}, ["price"], "OUT_OF_RANGE"),
    "null-price": ({"price": None}, ["price"], "REQUIRED"),
    "negative-bedrooms": ({"bedrooms": -1}, ["bedrooms"], "OUT_OF_RANGE"),
    "null-bedrooms": ({"bedrooms": None}, ["bedrooms"], "REQUIRED"),
    "negative-bathrooms": ({"bathrooms": -1}, ["bathrooms"], "OUT_OF_RANGE"),
    "negative-size": ({"sizeSqft": -1}, ["sizeSqft"], "OUT_OF_RANGE"),
    "null-title": ({"title": None}, ["title"], "REQUIRED"),
    "null-status": ({"status": None}, ["status"], "REQUIRED"),
}


@pytest.mark.parametrize(("patch", "path", "code"), INVALID_UPDATE.values(), ids=INVALID_UPDATE)
async def test_property_update_refuses_invalid_input(gql, db, workspace, loft, patch, path, code):
    # given
    before = await realty_snapshot(db)
    # when
    body = await gql(
        PROPERTY_UPDATE,
        {"input": {"id": gid("Property", loft.id), **patch}},
        token=workspace.editor.token,
    )
    # then
    assert without_message(body["data"]["propertyUpdate"]) == invalid(path, code)
    assert await realty_snapshot(db) == before


async def test_property_update_with_stale_updated_at_is_a_conflict(gql, db, workspace, loft):
    # given: someone else changed it after we read it
    prop_id = gid("Property", loft.id)
    seen = loft.updated_at.isoformat()
    first = await gql(
        PROPERTY_UPDATE, {"input": {"id": prop_id, "price": "1.00"}}, token=workspace.owner.token
    )
    assert first["data"]["propertyUpdate"]["__typename"] == "PropertySuccess"
    before = await realty_snapshot(db)
    # when
    body = await gql(
        PROPERTY_UPDATE,
        {"input": {"id": prop_id, "price": "2.00", "updatedAt": seen}},
        token=workspace.editor.token,
    )
    # then
    assert without_message(body["data"]["propertyUpdate"]) == refused(
        "ConflictError", "CONFLICT", path=["updatedAt"]
    )
    assert await realty_snapshot(db) == before


async def test_property_update_with_current_updated_at_succeeds(gql, workspace, loft):
    # when
    body = await gql(
        PROPERTY_UPDATE,
        {"input": {"id": gid("Property", loft.id), "price": "2.00",
                   "updatedAt": loft.updated_at.isoformat()}},
        token=workspace.editor.token,
    )  # fmt: skip
    # then
    assert body["data"]["propertyUpdate"]["property"]["price"] == "2.00"


async def test_viewer_cannot_update_a_property(gql, db, workspace, loft):
    # given
    before = await realty_snapshot(db)
    # when
    body = await gql(
        PROPERTY_UPDATE,
        {"input": {"id": gid("Property", loft.id), "price": "1.00"}},
        token=workspace.viewer.token,
    )
    # then
    assert without_message(body["data"]["propertyUpdate"]) == denied("item:update")
    assert await realty_snapshot(db) == before


async def test_update_of_unknown_property_is_not_found(gql, workspace):
    # given
    missing = gid("Property", __import__("uuid").uuid4())
    # when
    body = await gql(
        PROPERTY_UPDATE, {"input": {"id": missing, "title": "x"}}, token=workspace.owner.token
    )
    # then
    assert without_message(body["data"]["propertyUpdate"]) == not_found(["id"], missing)


# ---------------------------------------------------------------------------------------------
# propertyDelete


async def test_property_delete_hides_it_everywhere(gql, db, workspace, loft):
    # given
    prop_id = gid("Property", loft.id)
    media = await create_media(db, loft)
    # when
    body = await gql(PROPERTY_DELETE, {"input": {"id": prop_id}}, token=workspace.editor.token)
    # then
    assert body["data"]["propertyDelete"] == {
        "__typename": "PropertyDeleteSuccess",
        "deletedId": prop_id,
    }
    after = await gql(
        "query($p: ID!, $m: ID!) { property(id: $p) { id } node(id: $m) { id } "
        "properties { totalCount } }",
        {"p": prop_id, "m": gid("Media", media.id)},
        token=workspace.owner.token,
    )
    assert after == {"data": {"property": None, "node": None, "properties": {"totalCount": 0}}}
    assert (await realty_rows(db))["properties"] == 1  # soft: the row stays


async def test_viewer_cannot_delete_a_property(gql, db, workspace, loft):
    # given
    before = await realty_snapshot(db)
    # when
    body = await gql(
        PROPERTY_DELETE, {"input": {"id": gid("Property", loft.id)}}, token=workspace.viewer.token
    )
    # then
    assert without_message(body["data"]["propertyDelete"]) == denied("item:delete")
    assert await realty_snapshot(db) == before


async def test_deleting_a_deleted_property_is_not_found(gql, workspace, loft):
    # given
    prop_id = gid("Property", loft.id)
    await gql(PROPERTY_DELETE, {"input": {"id": prop_id}}, token=workspace.owner.token)
    # when
    body = await gql(PROPERTY_DELETE, {"input": {"id": prop_id}}, token=workspace.owner.token)
    # then
    assert without_message(body["data"]["propertyDelete"]) == not_found(["id"], prop_id)


# ---------------------------------------------------------------------------------------------
# mediaAdd / mediaRemove


async def test_media_add_and_remove(gql, db, workspace, loft):
    # given
    prop_id = gid("Property", loft.id)
    # when
    added = await gql(
        MEDIA_ADD,
        {"input": {"property": prop_id, "type": "VIDEO", "url": "s3://b/tour.mp4",
                   "metaData": {"seconds": 90}}},
        token=workspace.editor.token,
    )  # fmt: skip
    # then
    media = added["data"]["mediaAdd"]["media"]
    assert {k: v for k, v in media.items() if k != "id"} == {
        "type": "VIDEO", "url": "s3://b/tour.mp4", "metaData": {"seconds": 90},
        "property": {"id": prop_id},
    }  # fmt: skip
    listed = await gql(
        "query($id: ID!) { property(id: $id) { media { nodes { id } } } }",
        {"id": prop_id},
        token=workspace.viewer.token,
    )
    assert listed["data"]["property"]["media"]["nodes"] == [{"id": media["id"]}]
    # when
    removed = await gql(MEDIA_REMOVE, {"input": {"id": media["id"]}}, token=workspace.editor.token)
    # then
    assert removed["data"]["mediaRemove"] == {
        "__typename": "MediaRemoveSuccess",
        "deletedId": media["id"],
    }
    assert (await realty_rows(db))["property_media"] == 0


@pytest.mark.parametrize(
    ("patch", "path", "code"),
    [
        pytest.param({"url": " "}, ["url"], "REQUIRED", id="blank-url"),
        pytest.param({"url": "x" * 2001}, ["url"], "TOO_LONG", id="long-url"),
        pytest.param({"metaData": [1]}, ["metaData"], "INVALID", id="metadata-not-object"),
        pytest.param({"property": "nope"}, ["property"], "INVALID_ID", id="bad-property-id"),
    ],
)
async def test_media_add_refuses_invalid_input(gql, db, workspace, loft, patch, path, code):
    # given
    data = {"property": gid("Property", loft.id), "type": "IMAGE", "url": "a.jpg", **patch}
    # when
    body = await gql(MEDIA_ADD, {"input": data}, token=workspace.editor.token)
    # then
    assert without_message(body["data"]["mediaAdd"]) == invalid(path, code)
    assert (await realty_rows(db))["property_media"] == 0


async def test_viewer_cannot_add_or_remove_media(gql, db, workspace, loft):
    # given
    media = await create_media(db, loft)
    before = await realty_snapshot(db)
    # when
    added = await gql(
        MEDIA_ADD,
        {"input": {"property": gid("Property", loft.id), "type": "IMAGE", "url": "a.jpg"}},
        token=workspace.viewer.token,
    )
    removed = await gql(
        MEDIA_REMOVE, {"input": {"id": gid("Media", media.id)}}, token=workspace.viewer.token
    )
    # then
    assert without_message(added["data"]["mediaAdd"]) == denied("item:update")
    assert without_message(removed["data"]["mediaRemove"]) == denied("item:update")
    assert await realty_snapshot(db) == before


async def test_media_add_to_a_deleted_property_is_not_found(gql, db, workspace, loft):
    # given
    prop_id = gid("Property", loft.id)
    await gql(PROPERTY_DELETE, {"input": {"id": prop_id}}, token=workspace.owner.token)
    # when
    body = await gql(
        MEDIA_ADD,
        {"input": {"property": prop_id, "type": "IMAGE", "url": "a.jpg"}},
        token=workspace.editor.token,
    )
    # then
    assert without_message(body["data"]["mediaAdd"]) == not_found(["property"], prop_id)
