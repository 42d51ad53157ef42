"""Uploading, describing and deleting files through the API (multipart requests sent by
httpx to the app in process; tests/files/test_file_http.py drives a real server)."""

from __future__ import annotations

from pathlib import Path

from graph.kernel.ids import to_global_id
from tests.catalog.conftest import Workspace
from tests.conftest import row_count
from tests.factories import gid
from tests.files.conftest import ELF, PDF, PNG, create_file, sha256, stored_keys, upload
from tests.realty.conftest import create_property


async def test_upload_stores_the_bytes_and_the_row(uploaded, workspace: Workspace, tmp_path):
    # given
    org = gid("Organization", workspace.org.id)
    # when
    payload = await uploaded(
        workspace.editor.token,
        {"organization": org, "filename": "plan.png", "metaData": {"caption": "Front"}},
    )
    # then
    assert payload["__typename"] == "FileSuccess", payload
    file = payload["file"]
    assert file["filename"] == "plan.png"
    assert file["mimeType"] == "image/png"
    assert file["sizeBytes"] == len(PNG)
    assert file["sha256"] == sha256(PNG)
    assert file["metaData"] == {"caption": "Front"}
    assert file["organization"] == {"id": org}
    assert file["owner"] == {"id": workspace.editor.id}
    assert file["url"].startswith("/files/")
    assert stored_keys(tmp_path) == [file["storageKey"]]
    assert (tmp_path / "files" / file["storageKey"]).read_bytes() == PNG


async def test_upload_attaches_to_an_item_of_the_organization(uploaded, factory, workspace):
    # given
    item = await factory.item(workspace.owner.user, workspace.org)
    # when: the organization comes from the item
    payload = await uploaded(workspace.editor.token, {"item": gid("Item", item.id)})
    # then
    assert payload["file"]["item"] == {"id": gid("Item", item.id)}
    assert payload["file"]["organization"] == {"id": gid("Organization", workspace.org.id)}


async def test_declared_type_does_not_make_bytes_pass(uploaded, db, workspace, tmp_path):
    # given: an executable declared as a PNG
    org = gid("Organization", workspace.org.id)
    # when
    payload = await uploaded(workspace.editor.token, {"organization": org},
                             ("x.png", ELF, "image/png"))  # fmt: skip
    # then
    assert payload["__typename"] == "ValidationError"
    assert payload["fields"][0]["path"] == ["file"]
    assert payload["fields"][0]["code"] == "UNSUPPORTED_TYPE"
    assert await row_count(db, "file_assets") == 0
    assert stored_keys(tmp_path) == []


async def test_type_is_sniffed_from_the_bytes(uploaded, workspace):
    org = gid("Organization", workspace.org.id)
    pdf = await uploaded(workspace.editor.token, {"organization": org}, ("a.bin", PDF, "image/png"))
    csv = await uploaded(
        workspace.editor.token, {"organization": org}, ("a.csv", b"a,b\n1,2\n", "text/csv")
    )
    text = await uploaded(
        workspace.editor.token, {"organization": org}, ("a.png", b"hello", "image/png")
    )
    assert pdf["file"]["mimeType"] == "application/pdf"
    assert csv["file"]["mimeType"] == "text/csv"
    assert text["file"]["mimeType"] == "text/plain"


async def test_upload_needs_an_organization_or_item(uploaded, db, workspace):
    payload = await uploaded(workspace.editor.token, {})
    assert payload["__typename"] == "ValidationError"
    assert [f["path"] for f in payload["fields"]] == [["organization"]]
    assert await row_count(db, "file_assets") == 0


async def test_viewer_may_not_upload(uploaded, db, workspace, tmp_path):
    org = gid("Organization", workspace.org.id)
    payload = await uploaded(workspace.viewer.token, {"organization": org})
    assert payload["__typename"] == "PermissionDeniedError"
    assert await row_count(db, "file_assets") == 0
    assert stored_keys(tmp_path) == []


async def test_blank_filename_is_refused_and_nothing_is_stored(uploaded, db, workspace, tmp_path):
    org = gid("Organization", workspace.org.id)
    payload = await uploaded(workspace.editor.token, {"organization": org, "filename": "  "})
    assert payload["__typename"] == "ValidationError"
    assert payload["fields"][0]["path"] == ["filename"]
    assert stored_keys(tmp_path) == []


async def test_multipart_without_csrf_header_is_refused(client, db, workspace, tmp_path):
    org = gid("Organization", workspace.org.id)
    response = await upload(client, workspace.editor.token, {"organization": org},
                            ("a.png", PNG, "image/png"), headers={})  # fmt: skip
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "CSRF_REFUSED"
    assert await row_count(db, "file_assets") == 0


async def test_apollo_preflight_header_is_accepted(client, workspace):
    org = gid("Organization", workspace.org.id)
    response = await upload(client, workspace.editor.token, {"organization": org},
                            ("a.png", PNG, "image/png"),
                            headers={"Apollo-Require-Preflight": "true"})  # fmt: skip
    assert response.json()["data"]["fileUpload"]["__typename"] == "FileSuccess"


FILE_UPDATE = """
mutation($input: FileUpdateInput!) {
  fileUpdate(input: $input) {
    __typename
    ... on FileSuccess { file { filename metaData item { id }
                                history(first: 5) { nodes { action } } } }
    ... on ValidationError { fields { path code } }
    ... on Error { code path }
  }
}
"""


async def test_update_renames_and_attaches(gql, db, files, factory, workspace):
    # given
    file = await create_file(db, files, workspace.org)
    item = await factory.item(workspace.owner.user, workspace.org)
    data = {"id": gid("FileAsset", file.id), "filename": "renamed.png",
            "metaData": {"k": 1}, "item": gid("Item", item.id)}  # fmt: skip
    # when
    body = await gql(FILE_UPDATE, {"input": data}, token=workspace.editor.token)
    # then
    out = body["data"]["fileUpdate"]
    assert out["file"]["filename"] == "renamed.png"
    assert out["file"]["metaData"] == {"k": 1}
    assert out["file"]["item"] == {"id": gid("Item", item.id)}
    assert [n["action"] for n in out["file"]["history"]["nodes"]] == ["UPDATE"]
    # and null detaches
    body = await gql(FILE_UPDATE, {"input": {"id": data["id"], "item": None}},
                     token=workspace.editor.token)  # fmt: skip
    assert body["data"]["fileUpdate"]["file"]["item"] is None


async def test_update_refuses_bad_values(gql, db, files, workspace):
    file = await create_file(db, files, workspace.org)
    data = {"id": gid("FileAsset", file.id), "filename": "", "metaData": [1]}
    body = await gql(FILE_UPDATE, {"input": data}, token=workspace.editor.token)
    out = body["data"]["fileUpdate"]
    assert out["__typename"] == "ValidationError"
    assert [f["path"] for f in out["fields"]] == [["filename"], ["metaData"]]


FILE_DELETE = """
mutation($id: ID!) {
  fileDelete(input: {id: $id}) { __typename ... on FileDeleteSuccess { deletedId } }
}
"""


async def test_delete_removes_row_media_and_bytes(gql, db, files, workspace, tmp_path):
    # given: a property media showing the file
    file = await create_file(db, files, workspace.org)
    prop = await create_property(db, workspace.org)
    add = await gql(
        """mutation($input: MediaAddInput!) { mediaAdd(input: $input) {
             __typename ... on MediaSuccess { media { url file { id } } } } }""",
        {"input": {"property": gid("Property", prop.id), "type": "IMAGE",
                   "file": gid("FileAsset", file.id)}},
        token=workspace.editor.token,
    )  # fmt: skip
    media = add["data"]["mediaAdd"]["media"]
    assert media == {"url": file.storage_key, "file": {"id": gid("FileAsset", file.id)}}
    # when
    body = await gql(FILE_DELETE, {"id": gid("FileAsset", file.id)}, token=workspace.editor.token)
    # then
    assert body["data"]["fileDelete"] == {
        "__typename": "FileDeleteSuccess",
        "deletedId": gid("FileAsset", file.id),
    }
    assert await row_count(db, "file_assets") == 0
    assert await row_count(db, "property_media") == 0
    assert stored_keys(tmp_path) == []


async def test_media_add_needs_exactly_one_of_url_and_file(gql, db, files, workspace):
    file = await create_file(db, files, workspace.org)
    prop = await create_property(db, workspace.org)
    doc = """mutation($input: MediaAddInput!) { mediaAdd(input: $input) {
               __typename ... on ValidationError { fields { path code } } } }"""
    base = {"property": gid("Property", prop.id), "type": "IMAGE"}
    both = await gql(doc, {"input": {**base, "url": "x.jpg", "file": gid("FileAsset", file.id)}},
                     token=workspace.editor.token)  # fmt: skip
    neither = await gql(doc, {"input": base}, token=workspace.editor.token)
    for body in (both, neither):
        out = body["data"]["mediaAdd"]
        assert out["__typename"] == "ValidationError"
        assert [f["path"] for f in out["fields"]] == [["url"], ["file"]]
    assert await row_count(db, "property_media") == 0


FILES = """
query($filter: FileAssetFilter, $order: [FileAssetOrder!]) {
  files(filter: $filter, orderBy: $order, first: 10) { totalCount nodes { filename sizeBytes } }
}
"""


async def test_files_filter_and_order(gql, db, files, workspace):
    await create_file(db, files, workspace.org, filename="b.png")
    await create_file(db, files, workspace.org, content=PDF, filename="a.pdf",
                      mime_type="application/pdf")  # fmt: skip
    body = await gql(FILES, {"filter": {"mimeType": {"startsWith": "image/"}}},
                     token=workspace.viewer.token)  # fmt: skip
    assert body["data"]["files"] == {
        "totalCount": 1,
        "nodes": [{"filename": "b.png", "sizeBytes": len(PNG)}],
    }
    body = await gql(FILES, {"order": [{"field": "SIZE_BYTES", "direction": "DESC"}]},
                     token=workspace.viewer.token)  # fmt: skip
    assert [n["filename"] for n in body["data"]["files"]["nodes"]] == ["a.pdf", "b.png"]


async def test_item_and_organization_list_their_files(gql, db, files, factory, workspace):
    item = await factory.item(workspace.owner.user, workspace.org)
    on_item = await create_file(db, files, workspace.org, item_id=item.id)
    loose = await create_file(db, files, workspace.org)
    body = await gql(
        """query($item: ID!, $org: ID!) {
             item(id: $item) { files { nodes { id } } }
             organization(id: $org) { files { totalCount } } }""",
        {"item": gid("Item", item.id), "org": to_global_id("Organization", workspace.org.id)},
        token=workspace.viewer.token,
    )
    assert body["data"]["item"]["files"]["nodes"] == [{"id": gid("FileAsset", on_item.id)}]
    assert body["data"]["organization"]["files"]["totalCount"] == 2
    assert loose.id != on_item.id


def test_stored_keys_ignores_temporary_files(tmp_path: Path):
    (tmp_path / "files" / ".tmp").mkdir(parents=True)
    (tmp_path / "files" / ".tmp" / "x.part").write_bytes(b"x")
    assert stored_keys(tmp_path) == []


async def test_upload_without_a_file_part_is_refused(gql, db, workspace):
    body = await gql(
        'mutation { fileUpload(input: {file: "not a file", organization: "x"}) { __typename '
        "... on ValidationError { fields { path code } } } }",
        token=workspace.editor.token,
    )
    assert body["data"]["fileUpload"] == {
        "__typename": "ValidationError",
        "fields": [{"path": ["file"], "code": "INVALID"}],
    }
    assert await row_count(db, "file_assets") == 0
