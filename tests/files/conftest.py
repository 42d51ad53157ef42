"""The files tests' starting points: settings with a temporary data directory (so stored
bytes land under the test's tmp_path), a multipart request builder (the GraphQL multipart
request spec, sent by httpx), and a factory that stores a file and its row directly."""

from __future__ import annotations

import hashlib
import itertools
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.database import Database
from graph.server.app import create_app
from graph.settings import Settings, get_settings
from graph.storage import Files, files_for
from models.files import FileAsset
from tests.catalog.conftest import Workspace
from tests.factories import Factory

SECRET = "test-file-signing-secret"
# The smallest valid PNG: a 1x1 transparent pixel.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(120)

UPLOAD = """
mutation($input: FileUploadInput!) {
  fileUpload(input: $input) {
    __typename
    ... on FileSuccess { file { id filename mimeType sizeBytes sha256 storageKey metaData url
                                organization { id } item { id } owner { id } } }
    ... on ValidationError { message fields { path code message } }
    ... on Error { message code path }
    ... on NotFoundError { id }
  }
}
"""

_seq = itertools.count(1)


def settings_for(data_dir: Path, **overrides: Any) -> Settings:
    return get_settings().replace(data_dir=data_dir, file_signing_secret=SECRET, **overrides)


@pytest.fixture
async def workspace(factory: Factory) -> Workspace:
    org = await factory.organization(name="Files", slug="files")
    return Workspace(
        org=org,
        owner=await factory.member(org, "OWNER"),
        editor=await factory.member(org, "EDITOR"),
        viewer=await factory.member(org, "VIEWER"),
    )


@pytest.fixture
def files_settings(tmp_path: Path) -> Settings:
    return settings_for(tmp_path)


@pytest.fixture
def files(files_settings: Settings) -> Files:
    return files_for(files_settings)


@pytest.fixture
def app(db: Database, files_settings: Settings) -> Any:
    application = create_app(files_settings, database=db)
    application.state.db = db
    return application


def multipart(
    query: str,
    variables: dict[str, Any],
    files: dict[str, tuple[str, bytes, str]],
) -> tuple[dict[str, str], list[tuple[str, tuple[str, bytes, str]]]]:
    """The form fields and file parts of a GraphQL multipart request: ``files`` maps a
    variable path (``input.file``) to (filename, bytes, declared content type)."""
    names = {str(i): path for i, path in enumerate(files)}
    data = {
        "operations": json.dumps({"query": query, "variables": variables}),
        "map": json.dumps({name: [f"variables.{path}"] for name, path in names.items()}),
    }
    parts = [(name, files[path]) for name, path in names.items()]
    return data, parts


async def upload(
    client: httpx.AsyncClient,
    token: str | None,
    input: dict[str, Any],
    file: tuple[str, bytes, str],
    *,
    headers: dict[str, str] | None = None,
    url: str = "/graphql",
) -> httpx.Response:
    """POST a `fileUpload` as a multipart request, with the CSRF header unless ``headers``
    says otherwise."""
    data, parts = multipart(UPLOAD, {"input": {**input, "file": None}}, {"input.file": file})
    sent = {"X-Trellis-CSRF": "1"} if headers is None else dict(headers)
    if token:
        sent["Authorization"] = f"Bearer {token}"
    return await client.post(url, data=data, files=parts, headers=sent)


@pytest.fixture
async def uploaded(client: httpx.AsyncClient) -> Any:
    """Upload through the API; returns the payload (asserting a success unless told)."""

    async def run(
        token: str,
        input: dict[str, Any],
        file: tuple[str, bytes, str] = ("a.png", PNG, "image/png"),
    ) -> dict[str, Any]:
        response = await upload(client, token, input, file)
        assert response.status_code == 200, response.text
        payload: dict[str, Any] = response.json()["data"]["fileUpload"]
        return payload

    return run


async def create_file(
    db: Database, files: Files, organization: Any, content: bytes = PNG, **overrides: Any
) -> FileAsset:
    """A stored file and its row, made directly (not through the API)."""
    n = next(_seq)
    key = f"{organization.id}/{uuid.uuid4().hex}"

    async def chunks() -> AsyncIterator[bytes]:
        yield content

    size, checksum = await files.storage.write(key, chunks())
    values: dict[str, Any] = {
        "organization_id": organization.id,
        "filename": f"file-{n}.png",
        "storage_key": key,
        "mime_type": "image/png",
        "size_bytes": size,
        "checksum_sha256": checksum,
    }
    values.update(overrides)
    row = FileAsset(**values)
    async with db.sessions() as session, session.begin():
        session.add(row)
    return row


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def stored_keys(root: Path) -> list[str]:
    """The keys with bytes under a storage root (temporary files excluded)."""
    files_dir = root / "files"
    if not files_dir.exists():
        return []
    return sorted(
        str(p.relative_to(files_dir))
        for p in files_dir.rglob("*")
        if p.is_file() and ".tmp" not in p.parts
    )
