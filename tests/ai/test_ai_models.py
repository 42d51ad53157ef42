"""The AI model registry: an organization's own models (ADMIN+), global ones (superusers),
typed refusals, and the default embedder that cannot be deleted."""

from __future__ import annotations

from typing import Any

from tests.catalog.conftest import PAYLOAD_ERRORS, Workspace, denied, invalid, without_message
from tests.factories import Factory

MODEL_CREATE = f"""
mutation($input: AIModelCreateInput!) {{
  aiModelCreate(input: $input) {{
    __typename
    ... on AIModelSuccess {{
      aiModel {{ id name provider version parameters organization {{ id }} }}
    }}
    {PAYLOAD_ERRORS}
  }}
}}"""

MODEL_UPDATE = f"""
mutation($input: AIModelUpdateInput!) {{
  aiModelUpdate(input: $input) {{
    __typename
    ... on AIModelSuccess {{ aiModel {{ name version }} }}
    {PAYLOAD_ERRORS}
  }}
}}"""

MODEL_DELETE = f"""
mutation($input: AIModelDeleteInput!) {{
  aiModelDelete(input: $input) {{
    __typename
    ... on AIModelDeleteSuccess {{ deletedId }}
    {PAYLOAD_ERRORS}
  }}
}}"""

MODELS = "{ aiModels(orderBy: [{field: NAME}]) { nodes { name defaultEmbedder } } }"
DEFAULT = "{ aiModels(filter: {defaultEmbedder: {eq: true}}) { nodes { id } } }"


async def _create(gql: Any, token: str, **fields: Any) -> dict[str, Any]:
    body = await gql(MODEL_CREATE, {"input": {"provider": "local", **fields}}, token=token)
    return body["data"]["aiModelCreate"]


async def test_admin_registers_updates_and_deletes_an_organization_model(
    gql, factory: Factory, workspace: Workspace
):
    # given
    admin = await factory.member(workspace.org, "ADMIN")
    # when
    created = await _create(
        gql, admin.token, organization=workspace.org_id, name="  acme-llm ", version="1",
        parameters={"temperature": 0.2},
    )  # fmt: skip
    model = created["aiModel"]
    updated = await gql(
        MODEL_UPDATE, {"input": {"id": model["id"], "version": "2"}}, token=admin.token
    )
    listed = await gql(MODELS, token=workspace.viewer.token)
    deleted = await gql(MODEL_DELETE, {"input": {"id": model["id"]}}, token=admin.token)
    # then
    assert created["__typename"] == "AIModelSuccess"
    assert model["name"] == "acme-llm"
    assert model["organization"] == {"id": workspace.org_id}
    assert model["parameters"] == {"temperature": 0.2}
    assert updated["data"]["aiModelUpdate"]["aiModel"] == {"name": "acme-llm", "version": "2"}
    assert listed["data"]["aiModels"]["nodes"] == [
        {"name": "acme-llm", "defaultEmbedder": False},
        {"name": "wordllama-l2-supercat", "defaultEmbedder": True},
    ]
    assert deleted["data"]["aiModelDelete"]["__typename"] == "AIModelDeleteSuccess"


async def test_refusals(gql, factory: Factory, workspace: Workspace):
    # given
    root = await factory.user(is_superuser=True)
    root_token = await factory.token(root)
    default = (await gql(DEFAULT, token=workspace.viewer.token))["data"]["aiModels"]["nodes"][0]
    await _create(gql, workspace.owner.token, organization=workspace.org_id, name="dup")
    # when
    by_editor = await _create(gql, workspace.editor.token, organization=workspace.org_id, name="x")
    global_by_owner = await _create(gql, workspace.owner.token, name="x")
    duplicate = await _create(gql, workspace.owner.token, organization=workspace.org_id, name="DUP")
    blank = await _create(gql, workspace.owner.token, organization=workspace.org_id, name=" ")
    delete_default = await gql(MODEL_DELETE, {"input": {"id": default["id"]}}, token=root_token)
    global_by_root = await _create(gql, root_token, name="shared-llm")
    # then
    assert without_message(by_editor) == denied("organization:update")
    assert without_message(global_by_owner) == denied(None)
    assert without_message(duplicate) == invalid(["name"], "ALREADY_EXISTS")
    assert without_message(blank) == invalid(["name"], "REQUIRED")
    assert delete_default["data"]["aiModelDelete"]["__typename"] == "ConflictError"
    assert global_by_root["__typename"] == "AIModelSuccess"
    assert global_by_root["aiModel"]["organization"] is None
