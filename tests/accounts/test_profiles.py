"""Profiles: `profileUpdate` part by part (omitted stays, null clears, given replaces), every
part's checks as typed errors that change nothing, usernames unique however cased, IANA time
zones, who may change whose profile, `User.profile` and its history."""

from __future__ import annotations

from typing import Any

import pytest

from tests.accounts.payloads import conflict, permission_denied
from tests.factories import Factory, gid
from tests.tenancy_helpers import snapshot

UPDATE = """
mutation($input: ProfileUpdateInput!) {
  profileUpdate(input: $input) {
    __typename
    ... on ProfileUpdateSuccess { profile { ...Profile } }
    ... on ValidationError { message code path fields { path code message } }
    ... on Error { message code path }
    ... on PermissionDeniedError { permission }
  }
}
fragment Profile on UserProfile {
  id firstName lastName username featureFlags updatedAt
  contact { phones { label value } emails { label value } }
  location { country region city timeZone }
  socials { network url }
  company { name industry size website }
  preferences { language notifications { channel event enabled } }
  onboarding { stepsDone completedAt }
}
"""
ME = """
{ me { profile { id firstName username location { timeZone } socials { network }
                 history { nodes { action fields { field old new } } } } } }
"""

FULL = {
    "firstName": "Ada",
    "lastName": "Lovelace",
    "username": "Ada.L",
    "contact": {"phones": [{"label": "work", "value": "+44 20 7946 0958"}],
                "emails": [{"value": "ada@analytical.example"}]},
    "location": {"country": "gb", "city": "London", "timeZone": "Europe/London"},
    "socials": [{"network": "GitHub", "url": "https://github.com/ada"}],
    "company": {"name": "Analytical Engines", "size": "SMALL", "website": "https://ae.example"},
    "preferences": {"language": "en-GB", "notifications": [
        {"channel": "EMAIL", "event": "DIGEST", "enabled": False},
        {"channel": "IN_APP", "event": "MENTION", "enabled": True}]},
    "onboarding": {"stepsDone": ["profile", "first-project"]},
    "featureFlags": ["matrix.beta", "matrix.beta", "ai"],
}  # fmt: skip


async def _update(gql: Any, token: str, **data: Any) -> dict[str, Any]:
    body = await gql(UPDATE, {"input": data}, token=token)
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["profileUpdate"]
    return payload


async def test_a_first_update_makes_the_profile_with_every_part(gql, factory: Factory):
    # given
    ada = await factory.member()
    # when
    payload = await _update(gql, ada.token, **FULL)
    # then
    profile = payload["profile"]
    assert profile["id"] == gid("UserProfile", ada.user.id)
    assert {k: v for k, v in profile.items() if k != "updatedAt"} == {
        "id": profile["id"], "firstName": "Ada", "lastName": "Lovelace", "username": "Ada.L",
        "featureFlags": ["ai", "matrix.beta"],
        "contact": {"phones": [{"label": "work", "value": "+44 20 7946 0958"}],
                    "emails": [{"label": None, "value": "ada@analytical.example"}]},
        "location": {"country": "GB", "region": None, "city": "London",
                     "timeZone": "Europe/London"},
        "socials": [{"network": "github", "url": "https://github.com/ada"}],
        "company": {"name": "Analytical Engines", "industry": None, "size": "SMALL",
                    "website": "https://ae.example"},
        "preferences": {"language": "en-GB", "notifications": [
            {"channel": "EMAIL", "event": "DIGEST", "enabled": False},
            {"channel": "IN_APP", "event": "MENTION", "enabled": True}]},
        "onboarding": {"stepsDone": ["profile", "first-project"], "completedAt": None},
    }  # fmt: skip


async def test_omitted_parts_stay_null_clears_given_replaces(gql, factory: Factory):
    # given
    ada = await factory.member()
    await _update(gql, ada.token, **FULL)
    # when: the location cleared, the company replaced, onboarding completed, the rest omitted
    payload = await _update(
        gql, ada.token, location=None, company={"name": "Babbage & Co"},
        onboarding={"stepsDone": ["profile"], "completed": True}, lastName=None,
    )  # fmt: skip
    # then
    profile = payload["profile"]
    assert profile["location"] is None
    assert profile["lastName"] is None
    assert profile["company"] == {"name": "Babbage & Co", "industry": None, "size": None,
                                  "website": None}  # fmt: skip
    assert profile["onboarding"]["completedAt"] is not None
    assert profile["firstName"] == "Ada"
    assert profile["socials"] == [{"network": "github", "url": "https://github.com/ada"}]
    assert profile["featureFlags"] == ["ai", "matrix.beta"]
    # completing again keeps the first completion time
    again = await _update(gql, ada.token, onboarding={"stepsDone": [], "completed": True})
    assert again["profile"]["onboarding"]["completedAt"] == profile["onboarding"]["completedAt"]


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"location": {"timeZone": "Mars/Olympus_Mons"}},
         [(["location", "timeZone"], "INVALID",
           "Not an IANA time zone name (such as Europe/Paris).")]),
        ({"location": {"country": "France"}},
         [(["location", "country"], "INVALID_FORMAT", "Use an ISO code: FR.")]),
        ({"username": "a b"},
         [(["username"], "INVALID_FORMAT", "Use 3-32 letters, digits, dots, underscores or "
           "dashes, starting with a letter or digit.")]),
        ({"contact": {"phones": [{"value": "call me"}], "emails": [{"value": "nope"}]}},
         [(["contact", "phones", "0", "value"], "INVALID_FORMAT", "Not a valid phone number."),
          (["contact", "emails", "0", "value"], "INVALID_FORMAT",
           "Not a valid email address.")]),
        ({"socials": [{"network": "my network", "url": "ftp://x"}]},
         [(["socials", "0", "network"], "INVALID_FORMAT",
           "Use 1-32 lowercase letters, digits or dashes."),
          (["socials", "0", "url"], "INVALID_FORMAT", "Use an http(s) URL.")]),
        ({"preferences": {"language": "English", "notifications": [
            {"channel": "SMS", "event": "MENTION", "enabled": True},
            {"channel": "SMS", "event": "MENTION", "enabled": False}]}},
         [(["preferences", "language"], "INVALID_FORMAT",
           "Use a BCP 47 language tag such as fr or en-GB."),
          (["preferences", "notifications", "1"], "ALREADY_EXISTS",
           "This channel and event are listed already.")]),
        ({"featureFlags": ["Bad Flag"]},
         [(["featureFlags", "0"], "INVALID_FORMAT",
           "Use 1-64 lowercase letters, digits, dots, underscores or dashes.")]),
    ],
    ids=["time-zone", "country", "username", "contact", "socials", "preferences", "flags"],
)  # fmt: skip
async def test_each_part_is_checked_and_a_refusal_changes_nothing(gql, db, factory, data, fields):
    ada = await factory.member()
    await _update(gql, ada.token, firstName="Ada")
    before = await snapshot(db)
    payload = await _update(gql, ada.token, **data)
    assert payload["__typename"] == "ValidationError"
    assert [(f["path"], f["code"], f["message"]) for f in payload["fields"]] == fields
    assert await snapshot(db) == before


async def test_usernames_are_unique_however_cased(gql, db, factory):
    ada, bob = await factory.member(), await factory.member()
    await _update(gql, ada.token, username="Ada.L")
    before = await snapshot(db)
    payload = await _update(gql, bob.token, username="ada.l")
    assert payload == {
        "__typename": "ValidationError", "message": "This username is taken.",
        "code": "VALIDATION", "path": ["username"],
        "fields": [{"path": ["username"], "code": "ALREADY_EXISTS",
                    "message": "This username is taken."}],
    }  # fmt: skip
    assert await snapshot(db) == before


async def test_only_a_superuser_changes_another_users_profile(gql, factory):
    ada = await factory.member()
    bob = await factory.member()
    root = await factory.member(None, is_superuser=True)
    org = await factory.organization()
    await factory.membership(ada.user, org, "OWNER")
    await factory.membership(bob.user, org, "OWNER")
    denied = await _update(gql, bob.token, user=ada.id, firstName="x")
    assert denied == permission_denied(None, "You can only change your own profile.")
    done = await _update(gql, root.token, user=ada.id, firstName="Set by root")
    assert done["profile"]["firstName"] == "Set by root"


async def test_a_stale_update_is_a_conflict_and_anonymous_is_refused(gql, factory):
    ada = await factory.member()
    first = await _update(gql, ada.token, firstName="Ada")
    await _update(gql, ada.token, firstName="Ada 2")
    stale = await _update(gql, ada.token, firstName="x", updatedAt=first["profile"]["updatedAt"])
    assert stale == conflict(
        "This object changed since you read it; reload it and try again.", ["updatedAt"]
    )
    body = await gql(UPDATE, {"input": {"firstName": "x"}})
    assert body.get("data") is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_user_profile_reads_with_its_history(gql, factory):
    ada = await factory.member()
    before = await gql(ME, token=ada.token)
    assert before["data"]["me"] == {"profile": None}
    await _update(gql, ada.token, username="ada", location={"timeZone": "Asia/Tokyo"})
    await _update(gql, ada.token, username="ada2")
    body = await gql(ME, token=ada.token)
    profile = body["data"]["me"]["profile"]
    assert profile["username"] == "ada2"
    assert profile["location"] == {"timeZone": "Asia/Tokyo"}
    actions = [n["action"] for n in profile["history"]["nodes"]]
    assert actions == ["UPDATE", "CREATE"]
    assert profile["history"]["nodes"][0]["fields"] == [
        {"field": "username", "old": "ada", "new": "ada2"}
    ]


TENANCY = """
query($profile: ID!, $user: ID!) {
  node(id: $profile) { id }
  user(id: $user) { profile { id } }
  users { nodes { profile { username } } }
}
"""


async def test_a_profile_is_seen_only_by_who_sees_its_user(gql, factory):
    # given: ada and carol share an organization; bob shares none with ada
    org = await factory.organization()
    ada = await factory.member(org, "OWNER")
    carol = await factory.member(org, "VIEWER")
    bob = await factory.member(await factory.organization(), "OWNER")
    await _update(gql, ada.token, username="ada")
    variables = {"profile": gid("UserProfile", ada.user.id), "user": ada.id}
    # when
    seen = await gql(TENANCY, variables, token=carol.token)
    hidden = await gql(TENANCY, variables, token=bob.token)
    anonymous = await gql(TENANCY, variables)
    # then
    assert seen["data"]["node"] == {"id": variables["profile"]}
    assert seen["data"]["user"] == {"profile": {"id": variables["profile"]}}
    assert {"profile": {"username": "ada"}} in seen["data"]["users"]["nodes"]
    assert hidden["data"] == {"node": None, "user": None, "users": {"nodes": [{"profile": None}]}}
    assert anonymous["data"] == {"node": None, "user": None, "users": {"nodes": []}}
    refused = await _update(gql, bob.token, user=ada.id, firstName="x")
    assert refused["__typename"] == "NotFoundError"


PROFILES = """
query {
  users(first: 50) { nodes { email profile { firstName username featureFlags
                                             location { timeZone } } } }
}
"""


@pytest.mark.parametrize("users", [3, 12])
async def test_profiles_of_a_page_of_users_cost_one_statement(gql, factory, counter, users):
    org = await factory.organization()
    viewer = await factory.member(org, "OWNER")
    for n in range(users):
        member = await factory.member(org, "VIEWER")
        await _update(gql, member.token, username=f"user-{users}-{n}", location={"timeZone": "UTC"})
    counter.reset()
    body = await gql(PROFILES, token=viewer.token)
    nodes = body["data"]["users"]["nodes"]
    assert len(nodes) == users + 1
    assert sum(1 for n in nodes if n["profile"]) == users
    # auth, the users page, their profiles (one batched statement)
    assert counter.count == 3
