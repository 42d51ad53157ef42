"""`userDelete`: your own account or (a superuser) anyone's; personal data removed and the
history scrubbed of it; rows referencing the user handled by their ON DELETE rules; the last
OWNER of an organization refused."""

from __future__ import annotations

import json

from sqlalchemy import select

import models
from models.accounts import UserProfile
from models.history import ChangeLog
from models.jobs import Job
from tests.accounts.payloads import conflict, permission_denied
from tests.factories import Factory, gid
from tests.tenancy_helpers import snapshot

DELETE = """
mutation($input: UserDeleteInput!) {
  userDelete(input: $input) {
    __typename
    ... on UserDeleteSuccess { deletedId }
    ... on Error { message code path }
    ... on PermissionDeniedError { permission }
  }
}
"""
PROFILE = """
mutation { profileUpdate(input: {firstName: "Ada", username: "ada",
                                 location: {city: "London"}}) { __typename } }
"""
RENAME = 'mutation { userUpdate(input: {fullName: "Ada Byron"}) { __typename } }'
LOGIN = """
mutation($email: String!) {
  authLogin(input: {email: $email, password: "correct horse battery"}) { __typename }
}
"""


async def test_deleting_your_account_removes_personal_data_and_keeps_shared_work(
    gql, db, factory: Factory
):
    # given: ada, EDITOR of an organization with an OWNER, with a profile, a renamed name,
    # an item, a second session and a job she asked for
    org = await factory.organization()
    owner = await factory.member(org, "OWNER")
    ada = await factory.member(org, "EDITOR", email="ada@example.com", full_name="Ada")
    await factory.token(ada.user)
    assert (await gql(PROFILE, token=ada.token))["data"]["profileUpdate"]["__typename"] == (
        "ProfileUpdateSuccess"
    )
    await gql(RENAME, token=ada.token)
    item = await factory.item(ada.user, org, title="Ada's notes")
    async with db.sessions() as session, session.begin():
        job = Job(organization_id=org.id, requested_by_id=ada.user.id, kind="changes.count")
        session.add(job)
    # when
    body = await gql(DELETE, {"input": {}}, token=ada.token)
    # then: deleted; her credentials no longer work
    assert body["data"]["userDelete"] == {"__typename": "UserDeleteSuccess", "deletedId": ada.id}
    await gql("{ me { id } }", token=ada.token, status=401)
    login = await gql(LOGIN, {"email": "ada@example.com"})
    assert login["data"]["authLogin"]["__typename"] == "AuthenticationError"
    async with db.sessions() as session:
        user = await session.get(models.User, ada.user.id)
        assert user is not None
        assert (user.email, user.full_name, user.password_hash, user.is_active) == (
            f"deleted-{ada.user.id}@deleted.invalid", "Deleted user", None, False,
        )  # fmt: skip
        assert user.deleted_at is not None
        assert await session.get(UserProfile, ada.user.id) is None
        assert not (
            await session.scalars(
                select(models.Membership).where(models.Membership.user_id == ada.user.id)
            )
        ).all()
        assert not (
            await session.scalars(
                select(models.AuthSession).where(models.AuthSession.user_id == ada.user.id)
            )
        ).all()
        kept_job = await session.get(Job, job.id)
        assert kept_job is not None
        assert kept_job.requested_by_id is None  # SET NULL: the job stays
        gone = await session.get(models.Item, item.id)
        assert gone is not None
        assert gone.deleted_at is not None  # CASCADE: her item goes (soft: a root)
        history = (await session.scalars(
            select(ChangeLog).where(ChangeLog.entity_id == ada.user.id)
            .order_by(ChangeLog.position))).all()  # fmt: skip
    # the history keeps that things happened, not her personal fields
    text_of_history = json.dumps([h.changes for h in history])
    for personal in ("Ada", "ada@example.com", "London"):
        assert personal not in text_of_history, text_of_history
    assert [h.action.value for h in history][-1] == "delete"
    # the other members see her gone
    members = await gql(
        "query($id: ID!) { node(id: $id) { ... on Organization { memberships "
        "{ nodes { user { id } } } } } }",
        {"id": gid("Organization", org.id)},
        token=owner.token,
    )
    assert members["data"]["node"]["memberships"]["nodes"] == [{"user": {"id": owner.id}}]


async def test_the_last_owner_is_refused_and_nothing_changes(gql, db, factory):
    org = await factory.organization(name="Solo Ltd")
    ada = await factory.member(org, "OWNER")
    before = await snapshot(db)
    body = await gql(DELETE, {"input": {}}, token=ada.token)
    assert body["data"]["userDelete"] == conflict(
        "This account is the last OWNER of Solo Ltd: make someone else OWNER or delete the "
        "organization first.",
        ["id"],
    )
    assert await snapshot(db) == before


async def test_only_a_superuser_deletes_another_account(gql, db, factory):
    org = await factory.organization()
    ada = await factory.member(org, "OWNER")
    bob = await factory.member(org, "EDITOR")
    root = await factory.member(None, is_superuser=True)
    before = await snapshot(db)
    denied = await gql(DELETE, {"input": {"id": bob.id}}, token=ada.token)
    assert denied["data"]["userDelete"] == permission_denied(
        None, "You can only delete your own account."
    )
    assert await snapshot(db) == before
    done = await gql(DELETE, {"input": {"id": bob.id}}, token=root.token)
    assert done["data"]["userDelete"] == {"__typename": "UserDeleteSuccess", "deletedId": bob.id}
    assert (await gql("{ me { id } }", token=ada.token))["data"]["me"] == {"id": ada.id}


async def test_an_unseen_account_is_not_found(gql, factory):
    ada = await factory.member(await factory.organization(), "OWNER")
    stranger = await factory.member(None)
    body = await gql(DELETE, {"input": {"id": stranger.id}}, token=ada.token)
    assert body["data"]["userDelete"]["__typename"] == "NotFoundError"
