"""Uploads and downloads through real HTTP: a `trellis serve` process, and httpx sending GraphQL
multipart requests and following the signed URLs. Its limits are small so the refusals are
cheap: 1 MiB per file, two files per request (so 3 MiB per multipart body)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import delete
from sqlalchemy.engine import URL

import models
from graph.storage import Files, UrlSigner, files_for
from tests.catalog.conftest import Workspace
from tests.conftest import row_count
from tests.factories import gid
from tests.files.conftest import (
    ELF,
    PNG,
    SECRET,
    UPLOAD,
    create_file,
    multipart,
    settings_for,
    sha256,
    stored_keys,
    upload,
)
from tests.servers import free_port, running_server

MiB = 1024 * 1024
LIMITS = {"TRELLIS_UPLOAD_MAX_BYTES": str(MiB), "TRELLIS_UPLOAD_MAX_FILES": "2"}


@pytest.fixture(scope="module")
def server(
    database_url: URL, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    data_dir = tmp_path_factory.mktemp("file-server")
    env = {"TRELLIS_DATA_DIR": str(data_dir), "TRELLIS_FILE_SECRET": SECRET, **LIMITS}
    with running_server(database_url, data_dir, env=env) as base:
        yield base, data_dir


@pytest.fixture
async def http(server: tuple[str, Path]) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server[0], timeout=30) as client:
        yield client


@pytest.fixture
def data_dir(server: tuple[str, Path]) -> Path:
    """The server's data directory, its stored files emptied (the rows of earlier tests are
    deleted straight from the database, which leaves their bytes)."""
    shutil.rmtree(server[1] / "files", ignore_errors=True)
    return server[1]


@pytest.fixture
def server_files(data_dir: Path) -> Files:
    return files_for(settings_for(data_dir))


@pytest.fixture
async def other(factory) -> Workspace:
    org = await factory.organization(name="Beta", slug="beta")
    owner = await factory.member(org, "OWNER")
    return Workspace(org=org, owner=owner, editor=owner, viewer=owner)


def _png(size: int) -> bytes:
    """PNG magic followed by ``size`` bytes in all: enough for the sniffer, any length."""
    body = os.urandom(size - len(PNG))
    return PNG + body


async def _upload_ok(http: httpx.AsyncClient, token: str, org: Any, content: bytes) -> Any:
    response = await upload(http, token, {"organization": gid("Organization", org.id)},
                            ("photo.png", content, "image/png"))  # fmt: skip
    assert response.status_code == 200, response.text
    payload = response.json()["data"]["fileUpload"]
    assert payload["__typename"] == "FileSuccess", payload
    return payload["file"]


async def _nothing_stored(db: Any, data_dir: Path) -> None:
    assert await row_count(db, "file_assets") == 0
    assert stored_keys(data_dir) == []
    tmp = data_dir / "files" / ".tmp"
    assert not tmp.exists() or not any(tmp.iterdir())


async def test_upload_then_download(http, db, workspace, data_dir):
    # given: a file of several storage chunks
    content = _png(700_000)
    # when
    file = await _upload_ok(http, workspace.editor.token, workspace.org, content)
    response = await http.get(file["url"])
    # then
    assert file["sizeBytes"] == len(content)
    assert file["sha256"] == sha256(content)
    assert response.status_code == 200
    assert response.content == content
    assert response.headers["content-type"] == "image/png"
    assert response.headers["content-length"] == str(len(content))
    assert response.headers["etag"] == f'"{sha256(content)}"'
    assert response.headers["content-disposition"].startswith('attachment; filename="photo.png"')
    # and a client holding the same bytes is told so
    again = await http.get(file["url"], headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    assert stored_keys(data_dir) == [file["storageKey"]]


async def test_file_over_the_size_limit_is_refused_before_it_is_stored(
    http, db, workspace, data_dir
):
    # when
    response = await upload(http, workspace.editor.token,
                            {"organization": gid("Organization", workspace.org.id)},
                            ("big.png", _png(MiB + 1), "image/png"))  # fmt: skip
    # then
    payload = response.json()["data"]["fileUpload"]
    assert payload["__typename"] == "ValidationError"
    assert payload["fields"] == [
        {"path": ["file"], "code": "TOO_LARGE", "message": f"Files may be at most {MiB} bytes."}
    ]
    await _nothing_stored(db, data_dir)


async def test_body_over_the_multipart_limit_is_413(http, db, workspace, data_dir):
    # when: more than max_body_bytes + 2 x 1 MiB
    response = await upload(http, workspace.editor.token,
                            {"organization": gid("Organization", workspace.org.id)},
                            ("huge.png", _png(3 * MiB + 200_000), "image/png"))  # fmt: skip
    # then
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"
    await _nothing_stored(db, data_dir)


async def test_streamed_body_over_the_multipart_limit_is_413(http, db, workspace, data_dir):
    # given: the same request sent chunked, without a Content-Length: refused midway
    org = gid("Organization", workspace.org.id)
    huge = ("huge.png", _png(3 * MiB + 200_000), "image/png")
    data, parts = multipart(
        UPLOAD, {"input": {"organization": org, "file": None}}, {"input.file": huge}
    )
    built = httpx.Request("POST", "http://x/graphql", data=data, files=parts)
    body = built.read()

    async def chunked() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    # when
    response = await http.post("/graphql", content=chunked(), headers={
        "Content-Type": built.headers["content-type"], "X-Trellis-CSRF": "1",
        "Authorization": f"Bearer {workspace.editor.token}"})  # fmt: skip
    # then
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"
    await _nothing_stored(db, data_dir)


async def test_json_body_limit_is_unchanged(http):
    body = json.dumps({"query": "{ __typename }", "variables": {"x": "a" * (MiB + 1)}})
    response = await http.post("/graphql", content=body,
                                headers={"Content-Type": "application/json"})  # fmt: skip
    assert response.status_code == 413


async def test_more_files_than_allowed_is_413(http, db, workspace, data_dir):
    # given: three uploads in one request
    org = gid("Organization", workspace.org.id)
    query = """mutation($a: FileUploadInput!, $b: FileUploadInput!, $c: FileUploadInput!) {
      a: fileUpload(input: $a) { __typename } b: fileUpload(input: $b) { __typename }
      c: fileUpload(input: $c) { __typename } }"""
    inputs = {name: {"organization": org, "file": None} for name in "abc"}
    files = {f"{n}.file": (f"{n}.png", PNG, "image/png") for n in "abc"}
    data, parts = multipart(query, inputs, files)
    # when
    response = await http.post("/graphql", data=data, files=parts, headers={
        "X-Trellis-CSRF": "1", "Authorization": f"Bearer {workspace.editor.token}"})  # fmt: skip
    # then
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "TOO_MANY_FILES"
    await _nothing_stored(db, data_dir)


async def test_bytes_of_a_refused_type_are_not_stored(http, db, workspace, data_dir):
    response = await upload(http, workspace.editor.token,
                            {"organization": gid("Organization", workspace.org.id)},
                            ("tool.png", ELF, "image/png"))  # fmt: skip
    payload = response.json()["data"]["fileUpload"]
    assert payload["fields"][0]["code"] == "UNSUPPORTED_TYPE"
    await _nothing_stored(db, data_dir)


@pytest.mark.parametrize("header", [None, "X-Trellis-CSRF", "Apollo-Require-Preflight",
                                    "GraphQL-Require-Preflight"])  # fmt: skip
async def test_multipart_needs_a_preflight_header(http, db, workspace, header, data_dir):
    headers = {header: "1"} if header else {}
    response = await upload(http, workspace.editor.token,
                            {"organization": gid("Organization", workspace.org.id)},
                            ("a.png", PNG, "image/png"), headers=headers)  # fmt: skip
    if header is None:
        assert response.status_code == 403
        assert response.json()["errors"][0]["extensions"]["code"] == "CSRF_REFUSED"
        assert await row_count(db, "file_assets") == 0
    else:
        assert response.json()["data"]["fileUpload"]["__typename"] == "FileSuccess"


async def test_upload_into_another_organization_is_not_found(http, db, workspace, other, data_dir):
    response = await upload(http, workspace.editor.token,
                            {"organization": gid("Organization", other.org.id)},
                            ("a.png", PNG, "image/png"))  # fmt: skip
    payload = response.json()["data"]["fileUpload"]
    assert payload["__typename"] == "NotFoundError"
    assert payload["path"] == ["organization"]
    await _nothing_stored(db, data_dir)


async def test_forged_and_expired_urls_are_403(http, workspace, other, server_files, data_dir):
    # given
    file = await _upload_ok(http, workspace.editor.token, workspace.org, PNG)
    url = file["url"]
    path, _, query = url.partition("?")
    params = dict(p.split("=", 1) for p in query.split("&"))
    forged_sig = url.replace(
        params["s"], params["s"][:-2] + ("AA" if params["s"][-2:] != "AA" else "BB")
    )
    other_user = url.replace(params["u"], str(other.owner.user.id))
    later = url.replace(f"e={params['e']}", f"e={int(params['e']) + 3600}")
    wrong_key = UrlSigner(b"not the secret", 3600).url(_file_id(path), workspace.editor.user.id)
    expired = UrlSigner(SECRET.encode(), 60).url(
        _file_id(path), workspace.editor.user.id, now=time.time() - 3600
    )
    # when / then
    for bad in (forged_sig, other_user, later, wrong_key, expired, path, path + "?u=x&e=y&s=z"):
        response = await http.get(bad)
        assert response.status_code == 403, bad
        assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await http.get(url)).status_code == 200


def _file_id(path: str) -> Any:
    return uuid.UUID(path.rsplit("/", 1)[1])


async def test_file_of_another_organization_is_404(http, db, workspace, other, server_files):
    # given: a correctly signed URL for the editor, naming the other organization's file
    theirs = await create_file(db, server_files, other.org)
    url = server_files.signer.url(theirs.id, workspace.editor.user.id)
    # when
    response = await http.get(url)
    # then
    assert response.status_code == 404
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    # while its owner's URL works
    assert (
        await http.get(server_files.signer.url(theirs.id, other.owner.user.id))
    ).status_code == 200


async def test_deleted_file_is_404_and_its_bytes_are_gone(http, db, workspace, data_dir):
    # given
    file = await _upload_ok(http, workspace.editor.token, workspace.org, PNG)
    # when
    response = await http.post("/graphql", json={
        "query": "mutation($id: ID!) { fileDelete(input: {id: $id}) { __typename } }",
        "variables": {"id": file["id"]}},
        headers={"Authorization": f"Bearer {workspace.editor.token}"})  # fmt: skip
    # then
    assert response.json()["data"]["fileDelete"]["__typename"] == "FileDeleteSuccess"
    assert (await http.get(file["url"])).status_code == 404
    await _nothing_stored(db, data_dir)


async def test_user_who_left_the_organization_gets_404(http, db, factory, workspace):
    # given: a URL made while the editor was a member
    file = await _upload_ok(http, workspace.editor.token, workspace.org, PNG)
    async with db.engine.begin() as conn:
        await conn.execute(delete(models.Membership).where(
            models.Membership.user_id == workspace.editor.user.id))  # fmt: skip
    # then
    assert (await http.get(file["url"])).status_code == 404


def test_production_server_does_not_start_without_a_signing_secret(database_url, tmp_path):
    # given: production mode, no TRELLIS_FILE_SECRET
    env = {**os.environ, "DATABASE_URL": database_url.render_as_string(hide_password=False),
           "TRELLIS_MODE": "production", "TRELLIS_DATA_DIR": str(tmp_path)}  # fmt: skip
    env.pop("TRELLIS_FILE_SECRET", None)
    port = str(free_port())
    # when
    done = subprocess.run(
        [sys.executable, "-m", "graph.admin.cli", "serve", "--port", port],
        env=env, capture_output=True, timeout=60, text=True,
    )  # fmt: skip
    # then
    assert done.returncode != 0
    assert "TRELLIS_FILE_SECRET" in done.stdout + done.stderr
