"""Cross-tenant isolation of files: alice (OWNER of A) sees and changes nothing of
organization B's files, on any path: the root list, `file(id:)`, `node`/`nodes`, the nested
`Organization.files`, `Item.files` and `Media.file`, filters naming B's objects, and every
mutation (uploads included) naming B's file, item or organization.

The two-tenant world of tests/tenancy_helpers.py, plus a file on each side (B's named with the
``Beta secret`` marker, on B's item and shown by a media of B's property); a file of A is
attached to carol's item in B straight in the database, so `Item.files` must scope too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from graph.kernel.ids import from_global_id
from models.files import FileAsset
from tests.factories import gid
from tests.files.conftest import PNG, create_file, upload
from tests.realty.conftest import create_media, create_property
from tests.tenancy_helpers import (
    ById,
    Nested,
    Refused,
    World,
    assert_no_leak,
    build_world,
    connection,
    gid_of,
    snapshot,
    value_at,
)


@dataclass
class FilesWorld:
    base: World
    a_file: FileAsset
    b_file: FileAsset

    def foreign_gids(self) -> set[str]:
        return self.base.foreign_gids() | {fid(self.b_file)}


def fid(file: FileAsset) -> str:
    return gid("FileAsset", file.id)


@pytest.fixture
async def world(factory, db, files) -> FilesWorld:
    base = await build_world(factory, db)
    b_property = await create_property(db, base.org_b, title="Beta secret house")
    b_file = await create_file(
        db, files, base.org_b, filename="Beta secret plan.png", item_id=base.b_item.id
    )
    await create_media(db, b_property, url=b_file.storage_key, file_id=b_file.id)
    a_file = await create_file(db, files, base.org_a, filename="alpha.png", item_id=base.a_item.id)
    return FilesWorld(base=base, a_file=a_file, b_file=b_file)


# The helpers' case shapes, over this module's world (lambdas typed by these wrappers).
def by_id(type_name: str, theirs: Any, mine: Any) -> ById:
    return ById(type_name, theirs, mine)


def nested(doc: str, path: tuple[str, ...], visible: Any, parent: Any) -> Nested:
    return Nested(doc, path, visible, parent)


def refused(name: str, input_type: str, path: list[str], make: Any) -> Refused:
    return Refused(name, input_type, path, make)


def _check(body: dict[str, Any], world: FilesWorld) -> None:
    assert_no_leak(body, world.base)
    assert fid(world.b_file) not in str(body)


ROOT = """
query($filter: FileAssetFilter) { files(filter: $filter, first: 100) { totalCount nodes { id } } }
"""


@pytest.mark.parametrize("who", ["alice", "anonymous"])
async def test_root_list_shows_only_own_tenant(gql, world, who):
    token = world.base.alice.token if who == "alice" else None
    body = await gql(ROOT, token=token)
    expected = {fid(world.a_file)} if who == "alice" else set()
    assert connection(body, ("files",)) == (expected, len(expected))
    _check(body, world)


FILTERS = {
    "id": lambda w: {"id": {"eq": fid(w.b_file)}},
    "organization": lambda w: {"organization": {"eq": gid_of(w.base.org_b)}},
    "item": lambda w: {"item": {"eq": gid_of(w.base.b_item)}},
    "owner-in": lambda w: {"owner": {"in": [gid_of(w.base.bob)]}},
    "filename": lambda w: {"filename": {"contains": "Beta secret"}},
}


@pytest.mark.parametrize("make", FILTERS.values(), ids=FILTERS.keys())
async def test_root_filter_naming_other_tenant_finds_nothing(gql, world, make):
    body = await gql(ROOT, {"filter": make(world)}, token=world.base.alice.token)
    assert connection(body, ("files",)) == (set(), 0)
    _check(body, world)


BY_ID = by_id("FileAsset", lambda w: w.b_file, lambda w: w.a_file)


@pytest.mark.parametrize("field", ["node", "file"])
async def test_by_id_of_other_tenant_is_null(gql, world, field):
    mine, theirs = fid(BY_ID.mine(world)), fid(BY_ID.theirs(world))
    doc = f"""query($mine: ID!, $theirs: ID!) {{
      mine: {field}(id: $mine) {{ __typename id }} theirs: {field}(id: $theirs) {{ id }} }}"""
    body = await gql(doc, {"mine": mine, "theirs": theirs}, token=world.base.alice.token)
    assert body == {"data": {"mine": {"__typename": "FileAsset", "id": mine}, "theirs": None}}


async def test_nodes_of_other_tenant_are_null(gql, world):
    mine, theirs = fid(world.a_file), fid(world.b_file)
    body = await gql("query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
                     {"ids": [theirs, mine]}, token=world.base.alice.token)  # fmt: skip
    assert body == {"data": {"nodes": [None, {"id": mine}]}}


def _nested(parent: str) -> str:
    return f"""query($id: ID!) {{ node(id: $id) {{ ... on {parent} {{
      files(first: 100) {{ totalCount nodes {{ id }} }} }} }} }}"""


NESTED = {
    "organization.files": nested(_nested("Organization"), ("node", "files"),
                                 lambda w: {fid(w.a_file)}, lambda w: w.base.org_a),
    "their-organization.files": nested(_nested("Organization"), ("node", "files"),
                                       lambda w: set(), lambda w: w.base.org_b),
    "item.files": nested(_nested("Item"), ("node", "files"),
                         lambda w: {fid(w.a_file)}, lambda w: w.base.a_item),
    "their-item.files": nested(_nested("Item"), ("node", "files"),
                               lambda w: set(), lambda w: w.base.b_item),
}  # fmt: skip


@pytest.mark.parametrize("case", NESTED.values(), ids=NESTED.keys())
async def test_nested_files_show_only_own_tenant(gql, world, case):
    body = await gql(case.doc, {"id": gid_of(case.parent(world))}, token=world.base.alice.token)
    expected = case.visible(world)
    assert connection(body, case.path) == (expected, len(expected))
    _check(body, world)


async def test_item_of_other_tenant_lists_none_of_its_files_for_a_co_member(gql, db, world):
    # given: A's file attached (straight in the database) to carol's item in B
    async with db.sessions() as session, session.begin():
        row = await session.get(FileAsset, world.a_file.id)
        assert row is not None
        row.item_id = world.base.carol_b_item.id
    # when: alice (member of A only) asks for the file's item: B's item is null to her
    body = await gql("query($id: ID!) { file(id: $id) { item { id } } }",
                     {"id": fid(world.a_file)}, token=world.base.alice.token)  # fmt: skip
    # then
    assert body == {"data": {"file": {"item": None}}}


def _mutation(name: str, input_type: str) -> str:
    return f"""mutation($input: {input_type}!) {{ {name}(input: $input) {{
      __typename ... on Error {{ message code path }} ... on NotFoundError {{ id }} }} }}"""


MUTATIONS = {
    "fileUpdate": refused("fileUpdate", "FileUpdateInput", ["id"],
                          lambda w: {"id": fid(w.b_file), "filename": "pwned.png"}),
    "fileUpdate-their-item": refused(
        "fileUpdate", "FileUpdateInput", ["item"],
        lambda w: {"id": fid(w.a_file), "item": gid_of(w.base.b_item)},
    ),
    "fileDelete": refused("fileDelete", "FileDeleteInput", ["id"],
                          lambda w: {"id": fid(w.b_file)}),
}  # fmt: skip


@pytest.mark.parametrize("case", MUTATIONS.values(), ids=MUTATIONS.keys())
async def test_mutation_on_other_tenant_is_not_found_and_changes_nothing(gql, db, world, case):
    data = case.input(world)
    foreign_id = value_at(data, case.path)
    before = await snapshot(db)
    body = await gql(_mutation(case.name, case.input_type), {"input": data},
                     token=world.base.alice.token)  # fmt: skip
    assert body["data"][case.name] == {
        "__typename": "NotFoundError",
        "message": f"{from_global_id(foreign_id)[0]} not found.",
        "code": "NOT_FOUND",
        "path": case.path,
        "id": foreign_id,
    }
    assert await snapshot(db) == before


async def test_media_add_with_their_file_is_not_found(gql, db, world):
    prop = await create_property(db, world.base.org_a)
    before = await snapshot(db)
    data = {"property": gid("Property", prop.id), "type": "IMAGE", "file": fid(world.b_file)}
    body = await gql(_mutation("mediaAdd", "MediaAddInput"), {"input": data},
                     token=world.base.alice.token)  # fmt: skip
    assert body["data"]["mediaAdd"]["__typename"] == "NotFoundError"
    assert body["data"]["mediaAdd"]["path"] == ["file"]
    assert await snapshot(db) == before


UPLOADS = {
    "their-organization": (["organization"], lambda w: {"organization": gid_of(w.base.org_b)}),
    "their-item": (["item"], lambda w: {"item": gid_of(w.base.b_item)}),
}


@pytest.mark.parametrize(("path", "make"), UPLOADS.values(), ids=UPLOADS.keys())
async def test_upload_into_other_tenant_is_not_found(client, db, world, files_settings, path, make):
    before = await snapshot(db)
    stored = sorted((files_settings.data_dir / "files").rglob("*"))
    response = await upload(client, world.base.alice.token, make(world),
                            ("a.png", PNG, "image/png"))  # fmt: skip
    payload = response.json()["data"]["fileUpload"]
    assert payload["__typename"] == "NotFoundError"
    assert payload["path"] == path
    assert await snapshot(db) == before
    assert sorted((files_settings.data_dir / "files").rglob("*")) == stored
