"""Profiles: `profileUpdate`, part by part.

Each part of the input is checked by its own function into the JSON stored for it (the
shape graph/types/accounts/profiles.py reads back); a part not given stays, a null part is
cleared. The profile row is made on its first update (its id is the user's), through the
Writer, so its changes are in the history like any other node's.
"""

from __future__ import annotations

import re
import uuid
import zoneinfo
from datetime import UTC, datetime
from functools import cache
from typing import Annotated, Any

import strawberry

import models
from graph.context import Info
from graph.kernel.errors import AuthenticationFailed, FieldErrorCode, PermissionDenied
from graph.types.accounts.profiles import (
    ProfileCompanyInput,
    ProfileContactInput,
    ProfileLocationInput,
    ProfileOnboardingInput,
    ProfilePreferencesInput,
    ProfileUpdateInput,
    ProfileUpdatePayload,
    ProfileUpdateSuccess,
    SocialLinkInput,
    UserProfile,
)
from loaders.base import to_node
from models.accounts import UserProfile as ProfileModel
from resolvers.accounts.auth import require_login
from resolvers.validation import EMAIL_RE, Checks
from resolvers.writes import UNIQUE_VIOLATIONS, Writer, mutate

USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,31}$")
PHONE_RE = re.compile(r"^\+?[0-9 ()./-]{3,32}$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
NETWORK_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
FLAG_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]{0,2000}$", re.IGNORECASE)
MAX_ENTRIES, MAX_SOCIALS, MAX_FLAGS, MAX_STEPS = 10, 20, 50, 50

UNIQUE_VIOLATIONS["user_profiles_username_lower_key"] = (
    ("username",),
    "This username is taken.",
)


@cache
def time_zones() -> frozenset[str]:
    """The IANA time zone names this system knows."""
    return frozenset(zoneinfo.available_timezones())


def _url(c: Checks, path: list[str], value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not URL_RE.fullmatch(value):
        c.fail(path, FieldErrorCode.INVALID_FORMAT, "Use an http(s) URL.")
    return value


def _contact(c: Checks, data: ProfileContactInput) -> dict[str, Any]:
    def entries(name: str, values: list[Any], pattern: re.Pattern[str], what: str) -> list[Any]:
        if len(values) > MAX_ENTRIES:
            c.fail(["contact", name], FieldErrorCode.TOO_LONG, f"At most {MAX_ENTRIES}.")
        out = []
        for i, entry in enumerate(values):
            path = ["contact", name, str(i)]
            value = entry.value.strip()
            if not pattern.fullmatch(value):
                c.fail([*path, "value"], FieldErrorCode.INVALID_FORMAT, f"Not a valid {what}.")
            label = c.optional_text([*path, "label"], entry.label, max_length=50)
            out.append({"label": label, "value": value})
        return out

    return {
        "phones": entries("phones", data.phones, PHONE_RE, "phone number"),
        "emails": entries("emails", data.emails, EMAIL_RE, "email address"),
    }


def _location(c: Checks, data: ProfileLocationInput) -> dict[str, Any]:
    country = data.country.strip().upper() if data.country else None
    if country is not None and not COUNTRY_RE.fullmatch(country):
        c.fail(["location", "country"], FieldErrorCode.INVALID_FORMAT, "Use an ISO code: FR.")
    zone = data.time_zone.strip() if data.time_zone else None
    if zone is not None and zone not in time_zones():
        c.fail(
            ["location", "timeZone"],
            FieldErrorCode.INVALID,
            "Not an IANA time zone name (such as Europe/Paris).",
        )
    return {
        "country": country,
        "region": c.optional_text(["location", "region"], data.region, max_length=100),
        "city": c.optional_text(["location", "city"], data.city, max_length=100),
        "timeZone": zone,
    }


def _socials(c: Checks, links: list[SocialLinkInput]) -> list[dict[str, Any]]:
    if len(links) > MAX_SOCIALS:
        c.fail(["socials"], FieldErrorCode.TOO_LONG, f"At most {MAX_SOCIALS} links.")
    out = []
    for i, link in enumerate(links):
        network = link.network.strip().lower()
        if not NETWORK_RE.fullmatch(network):
            c.fail(
                ["socials", str(i), "network"],
                FieldErrorCode.INVALID_FORMAT,
                "Use 1-32 lowercase letters, digits or dashes.",
            )
        url = _url(c, ["socials", str(i), "url"], link.url)
        if url is None:
            c.fail(["socials", str(i), "url"], FieldErrorCode.REQUIRED, "Give the link's URL.")
        out.append({"network": network, "url": url})
    return out


def _company(c: Checks, data: ProfileCompanyInput) -> dict[str, Any]:
    return {
        "name": c.optional_text(["company", "name"], data.name, max_length=200),
        "industry": c.optional_text(["company", "industry"], data.industry, max_length=100),
        "size": data.size.name.lower() if data.size else None,
        "website": _url(c, ["company", "website"], data.website),
    }


def _preferences(c: Checks, data: ProfilePreferencesInput) -> dict[str, Any]:
    language = data.language.strip() if data.language else None
    if language is not None and not LANGUAGE_RE.fullmatch(language):
        c.fail(
            ["preferences", "language"],
            FieldErrorCode.INVALID_FORMAT,
            "Use a BCP 47 language tag such as fr or en-GB.",
        )
    seen: set[tuple[str, str]] = set()
    notifications = []
    for i, n in enumerate(data.notifications):
        pair = (n.channel.name.lower(), n.event.name.lower())  # = their values
        if pair in seen:
            c.fail(
                ["preferences", "notifications", str(i)],
                FieldErrorCode.ALREADY_EXISTS,
                "This channel and event are listed already.",
            )
        seen.add(pair)
        notifications.append({"channel": pair[0], "event": pair[1], "enabled": n.enabled})
    return {"language": language, "notifications": notifications}


def _onboarding(
    c: Checks, data: ProfileOnboardingInput, stored: dict[str, Any] | None
) -> dict[str, Any]:
    if len(data.steps_done) > MAX_STEPS:
        c.fail(["onboarding", "stepsDone"], FieldErrorCode.TOO_LONG, f"At most {MAX_STEPS}.")
    steps = [
        c.text(["onboarding", "stepsDone", str(i)], step, max_length=64)
        for i, step in enumerate(data.steps_done)
    ]
    completed = (stored or {}).get("completedAt") or datetime.now(UTC).isoformat()
    return {"stepsDone": steps, "completedAt": completed if data.completed else None}


def _flags(c: Checks, flags: list[str]) -> list[str]:
    if len(flags) > MAX_FLAGS:
        c.fail(["featureFlags"], FieldErrorCode.TOO_LONG, f"At most {MAX_FLAGS} flags.")
    for i, flag in enumerate(flags):
        if not FLAG_RE.fullmatch(flag):
            c.fail(
                ["featureFlags", str(i)],
                FieldErrorCode.INVALID_FORMAT,
                "Use 1-64 lowercase letters, digits, dots, underscores or dashes.",
            )
    return sorted(set(flags))


def _username(c: Checks, value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not USERNAME_RE.fullmatch(value):
        c.fail(
            ["username"],
            FieldErrorCode.INVALID_FORMAT,
            "Use 3-32 letters, digits, dots, underscores or dashes, starting with a letter "
            "or digit.",
        )
    return value


async def _target(writer: Writer, user: strawberry.ID | None) -> uuid.UUID:
    viewer_id = require_login(writer)
    if not writer.viewer.may_write():
        raise AuthenticationFailed("This API key may only read.")
    if user is None:
        return viewer_id
    found = await writer.get(models.User, user, type_name="User", path=("user",), lock=False)
    if found.id != viewer_id and not writer.viewer.is_superuser:
        raise PermissionDenied(None, "You can only change your own profile.")
    return found.id


async def update_profile(writer: Writer, data: ProfileUpdateInput) -> ProfileModel:
    user_id = await _target(writer, data.user)
    profile = await writer.session.get(ProfileModel, user_id, with_for_update=True)
    stored_onboarding = profile.onboarding if profile else None
    c = Checks()
    values: dict[str, Any] = {}

    def part(name: str, given: Any, check: Any) -> None:
        if given is not None:  # Some(value): given, perhaps as null
            values[name] = None if given.value is None else check(given.value)

    part("first_name", data.first_name, lambda v: c.optional_text(["firstName"], v, max_length=100))
    part("last_name", data.last_name, lambda v: c.optional_text(["lastName"], v, max_length=100))
    part("username", data.username, lambda v: _username(c, v))
    part("contact", data.contact, lambda v: _contact(c, v))
    part("location", data.location, lambda v: _location(c, v))
    part("socials", data.socials, lambda v: _socials(c, v))
    part("company", data.company, lambda v: _company(c, v))
    part("preferences", data.preferences, lambda v: _preferences(c, v))
    part("onboarding", data.onboarding, lambda v: _onboarding(c, v, stored_onboarding))
    part("feature_flags", data.feature_flags, lambda v: _flags(c, v))  # fmt: skip
    if values.get("feature_flags", ()) is None:
        values["feature_flags"] = []
    c.done()
    if profile is None:
        return await writer.create(ProfileModel(id=user_id, **values))
    return await writer.update(profile, values, seen_updated_at=data.updated_at)


@strawberry.type
class ProfileMutation:
    @strawberry.mutation(
        description="Change your profile (a superuser: anyone's) part by part: omitted "
        "parts stay, null clears a part, a given part replaces the stored one."
    )
    async def profile_update(
        self,
        info: Info,
        input: Annotated[
            ProfileUpdateInput, strawberry.argument(description="The parts to change.")
        ],
    ) -> ProfileUpdatePayload:
        return await mutate(
            info,
            lambda w: update_profile(w, input),
            lambda p: ProfileUpdateSuccess(profile=to_node(UserProfile, p)),
        )
