"""A credential a mutation revokes stops acting at once: the root fields after it in the same
document run without it, as they would on the next request."""

from __future__ import annotations

import pytest

from tests.accounts.payloads import authentication_error
from tests.conftest import row_count

API_KEY_CREATE = """
mutation ApiKeyCreate($input: ApiKeyCreateInput!) {
  apiKeyCreate(input: $input) {
    __typename
    ... on ApiKeyCreateSuccess { secret apiKey { id } }
  }
}
"""

# Revoke the key the request is made with, then mint a new one with it.
REVOKE_THEN_CREATE_KEY = """
mutation RevokeThenCreateKey($id: ID!) {
  apiKeyRevoke(input: {id: $id}) { __typename }
  apiKeyCreate(input: {name: "after", scopes: [READ]}) {
    __typename
    ... on AuthenticationError { message code path }
  }
}
"""

# Sign out the session the request is made with, then mint a key with it.
LOGOUT_THEN_CREATE_KEY = """
mutation LogoutThenCreateKey {
  authLogout(input: {}) { __typename }
  apiKeyCreate(input: {name: "after", scopes: [READ]}) {
    __typename
    ... on AuthenticationError { message code path }
  }
}
"""


@pytest.mark.parametrize("credential", ["api-key-revoked", "session-signed-out"])
async def test_a_revoked_credential_cannot_act_later_in_the_same_document(gql, factory, credential):
    # given: ada's session, or an API key of hers that may write
    member = await factory.member()
    if credential == "api-key-revoked":
        body = await gql(
            API_KEY_CREATE,
            {"input": {"name": "ci", "scopes": ["READ", "WRITE"]}},
            token=member.token,
        )
        created = body["data"]["apiKeyCreate"]
        token, keys_before = created["secret"], 1
        document, variables = REVOKE_THEN_CREATE_KEY, {"id": created["apiKey"]["id"]}
    else:
        token, keys_before = member.token, 0
        document, variables = LOGOUT_THEN_CREATE_KEY, {}
    # when: the credential revokes itself, then tries to create an API key
    body = await gql(document, variables, token=token)
    # then: the revocation succeeds and the key is refused, as to a signed-out caller
    revoked, after = body["data"].values()
    assert revoked["__typename"] in ("ApiKeyRevokeSuccess", "AuthLogoutSuccess")
    assert after == authentication_error("Sign in first.")
    assert await row_count(factory.db, "api_keys") == keys_before
