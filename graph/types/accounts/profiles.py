"""User profiles in the API: the `UserProfile` node (one per user, its id the user's), its
typed parts (stored as JSONB) and the `profileUpdate` input, part by part.

A part's GraphQL object is built from its stored JSON by a resolver, so a query selecting a
part is answered by the resolvers, not compiled into SQL (the compiler maps columns to
JSON as stored; these parts are reshaped: enums, defaults). The scalar fields compile.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry import Maybe

from graph.kernel.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from graph.kernel.fields import to_one
from graph.kernel.ids import node_type
from graph.kernel.relay import Node
from models.accounts import UserProfile as UserProfileModel


@strawberry.type(description="A labelled phone number or email address.")
class ContactEntry:
    label: str | None = strawberry.field(description="e.g. `work`, `mobile`; free text.")
    value: str = strawberry.field(description="The number or address.")


@strawberry.type(description="How to reach the person, beside their account's email.")
class ProfileContact:
    phones: list[ContactEntry] = strawberry.field(description="Phone numbers.")
    emails: list[ContactEntry] = strawberry.field(description="Other email addresses.")


@strawberry.type(description="Where the person is.")
class ProfileLocation:
    country: str | None = strawberry.field(description="ISO 3166-1 alpha-2 code, e.g. `FR`.")
    region: str | None = strawberry.field(description="Region or state, free text.")
    city: str | None = strawberry.field(description="City, free text.")
    time_zone: str | None = strawberry.field(
        description="An IANA time zone name, e.g. `Europe/Paris`."
    )


@strawberry.type(description="A link to the person elsewhere.")
class SocialLink:
    network: str = strawberry.field(description="e.g. `linkedin`, `github`; lowercase.")
    url: str = strawberry.field(description="An http(s) URL.")


@strawberry.type(description="The company the person works for.")
class ProfileCompany:
    name: str | None = strawberry.field(description="Its name.")
    industry: str | None = strawberry.field(description="Its industry, free text.")
    size: CompanySize | None = strawberry.field(description="Its headcount band.")
    website: str | None = strawberry.field(description="An http(s) URL.")


@strawberry.enum(description="A company's headcount band.")
class CompanySize(enum.Enum):
    SOLO = strawberry.enum_value("solo", description="Just one person.")
    SMALL = strawberry.enum_value("small", description="2-10 people.")
    MEDIUM = strawberry.enum_value("medium", description="11-50 people.")
    LARGE = strawberry.enum_value("large", description="51-250 people.")
    ENTERPRISE = strawberry.enum_value("enterprise", description="More than 250 people.")


@strawberry.enum(description="Where a notification goes.")
class NotificationChannel(enum.Enum):
    EMAIL = strawberry.enum_value("email", description="By email.")
    IN_APP = strawberry.enum_value("in_app", description="In the application.")
    PUSH = strawberry.enum_value("push", description="As a push notification.")
    SMS = strawberry.enum_value("sms", description="By text message.")


@strawberry.enum(description="What a notification is about.")
class NotificationEvent(enum.Enum):
    INVITATION = strawberry.enum_value("invitation", description="Invitations and members.")
    MENTION = strawberry.enum_value("mention", description="Someone mentions you.")
    ASSIGNMENT = strawberry.enum_value("assignment", description="Work assigned to you.")
    COMMENT = strawberry.enum_value("comment", description="Comments on your work.")
    DIGEST = strawberry.enum_value("digest", description="A periodic summary.")
    PRODUCT = strawberry.enum_value("product", description="News about Trellis.")


@strawberry.type(description="Whether one kind of notification goes through one channel.")
class NotificationPreference:
    channel: NotificationChannel = strawberry.field(description="The channel.")
    event: NotificationEvent = strawberry.field(description="The kind of event.")
    enabled: bool = strawberry.field(description="On or off.")


@strawberry.type(description="How the person uses Trellis.")
class ProfilePreferences:
    language: str | None = strawberry.field(description="A BCP 47 tag, e.g. `fr` or `en-GB`.")
    notifications: list[NotificationPreference] = strawberry.field(
        description="Per channel and kind of event; a pair not listed keeps its default."
    )


@strawberry.type(description="The person's progress through onboarding.")
class ProfileOnboarding:
    steps_done: list[str] = strawberry.field(description="The steps completed, in order.")
    completed_at: datetime | None = strawberry.field(
        description="When onboarding was completed; null until then."
    )


def _entries(values: Any) -> list[ContactEntry]:
    return [ContactEntry(label=v.get("label"), value=v["value"]) for v in values or []]


@node_type
@strawberry.type(
    description="A user's profile: names, username, and typed parts (contact, location, "
    "social links, company, preferences, onboarding, feature flags). Its `id` refetches it; "
    "`User.profile` reads it. Visible to whoever sees the user."
)
class UserProfile(Node):
    __model__ = UserProfileModel

    first_name: str | None = strawberry.field(description="Given name.")
    last_name: str | None = strawberry.field(description="Family name.")
    username: str | None = strawberry.field(
        description="Unique however it is cased; 3-32 letters, digits, `_`, `.`, `-`."
    )
    feature_flags: list[str] = strawberry.field(
        description="Features switched on for this user, e.g. `matrix.beta`."
    )
    created_at: datetime = strawberry.field(description="When the profile was made.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    contact: strawberry.Private[dict[str, Any] | None]
    location: strawberry.Private[dict[str, Any] | None]
    socials: strawberry.Private[list[dict[str, Any]] | None]
    company: strawberry.Private[dict[str, Any] | None]
    preferences: strawberry.Private[dict[str, Any] | None]
    onboarding: strawberry.Private[dict[str, Any] | None]

    @strawberry.field(name="contact", description="Phones and other addresses; null if unset.")
    def contact_part(self) -> ProfileContact | None:
        c = self.contact
        if c is None:
            return None
        return ProfileContact(phones=_entries(c.get("phones")), emails=_entries(c.get("emails")))

    @strawberry.field(name="location", description="Where the person is; null if unset.")
    def location_part(self) -> ProfileLocation | None:
        c = self.location
        if c is None:
            return None
        return ProfileLocation(
            country=c.get("country"),
            region=c.get("region"),
            city=c.get("city"),
            time_zone=c.get("timeZone"),
        )

    @strawberry.field(name="socials", description="Links to the person elsewhere.")
    def social_links(self) -> list[SocialLink]:
        return [SocialLink(network=s["network"], url=s["url"]) for s in self.socials or []]

    @strawberry.field(name="company", description="The person's company; null if unset.")
    def company_part(self) -> ProfileCompany | None:
        c = self.company
        if c is None:
            return None
        size = c.get("size")
        return ProfileCompany(
            name=c.get("name"),
            industry=c.get("industry"),
            size=CompanySize(size) if size else None,
            website=c.get("website"),
        )

    @strawberry.field(name="preferences", description="Language and notifications.")
    def preferences_part(self) -> ProfilePreferences:
        c = self.preferences or {}
        return ProfilePreferences(
            language=c.get("language"),
            notifications=[
                NotificationPreference(
                    channel=NotificationChannel(n["channel"]),
                    event=NotificationEvent(n["event"]),
                    enabled=n["enabled"],
                )
                for n in c.get("notifications", [])
            ],
        )

    @strawberry.field(name="onboarding", description="Onboarding progress.")
    def onboarding_part(self) -> ProfileOnboarding:
        c = self.onboarding or {}
        done = c.get("completedAt")
        return ProfileOnboarding(
            steps_done=list(c.get("stepsDone", [])),
            completed_at=datetime.fromisoformat(done) if done else None,
        )


# ---------------------------------------------------------------------------------------------
# Inputs: each part is replaced as a whole when given, cleared by null, kept when omitted


@strawberry.input(description="A labelled phone number or email address.")
class ContactEntryInput:
    label: str | None = strawberry.field(default=None, description="At most 50 characters.")
    value: str = strawberry.field(description="The number (digits, spaces, +-().) or address.")


@strawberry.input(description="How to reach you; replaces the stored contact as a whole.")
class ProfileContactInput:
    phones: list[ContactEntryInput] = strawberry.field(
        default_factory=list, description="At most 10."
    )
    emails: list[ContactEntryInput] = strawberry.field(
        default_factory=list, description="At most 10."
    )


@strawberry.input(description="Where you are; replaces the stored location as a whole.")
class ProfileLocationInput:
    country: str | None = strawberry.field(
        default=None, description="ISO 3166-1 alpha-2, e.g. `FR`."
    )
    region: str | None = strawberry.field(default=None, description="At most 100 characters.")
    city: str | None = strawberry.field(default=None, description="At most 100 characters.")
    time_zone: str | None = strawberry.field(
        default=None, description="An IANA time zone name; others are refused."
    )


@strawberry.input(description="A link to you elsewhere.")
class SocialLinkInput:
    network: str = strawberry.field(description="1-32 lowercase letters, digits or dashes.")
    url: str = strawberry.field(description="An http(s) URL.")


@strawberry.input(description="Your company; replaces the stored company as a whole.")
class ProfileCompanyInput:
    name: str | None = strawberry.field(default=None, description="At most 200 characters.")
    industry: str | None = strawberry.field(default=None, description="At most 100 characters.")
    size: CompanySize | None = strawberry.field(default=None, description="Headcount band.")
    website: str | None = strawberry.field(default=None, description="An http(s) URL.")


@strawberry.input(description="One notification setting.")
class NotificationPreferenceInput:
    channel: NotificationChannel = strawberry.field(description="The channel.")
    event: NotificationEvent = strawberry.field(description="The kind of event.")
    enabled: bool = strawberry.field(description="On or off.")


@strawberry.input(description="Your preferences; replace the stored ones as a whole.")
class ProfilePreferencesInput:
    language: str | None = strawberry.field(
        default=None, description="A BCP 47 tag such as `fr` or `en-GB`."
    )
    notifications: list[NotificationPreferenceInput] = strawberry.field(
        default_factory=list, description="One per (channel, event) pair at most."
    )


@strawberry.input(description="Your onboarding progress; replaces the stored one.")
class ProfileOnboardingInput:
    steps_done: list[str] = strawberry.field(
        default_factory=list, description="Step names, 1-64 characters each, at most 50."
    )
    completed: bool = strawberry.field(
        default=False,
        description="Onboarding is complete: `completedAt` is set now (kept if set before).",
    )


@strawberry.input(
    description="Change a profile, part by part: an omitted field keeps its value, null "
    "clears it, a given part replaces the stored part as a whole. Your own profile, or "
    "anyone's for a superuser (`user`)."
)
class ProfileUpdateInput:
    user: strawberry.ID | None = strawberry.field(
        default=None, description="Whose profile (superusers only); yours when omitted."
    )
    first_name: Maybe[str | None] = strawberry.field(
        default=None, description="At most 100 characters; null clears it."
    )
    last_name: Maybe[str | None] = strawberry.field(
        default=None, description="At most 100 characters; null clears it."
    )
    username: Maybe[str | None] = strawberry.field(
        default=None, description="Unique however it is cased; null clears it."
    )
    contact: Maybe[ProfileContactInput | None] = strawberry.field(
        default=None, description="Phones and addresses."
    )
    location: Maybe[ProfileLocationInput | None] = strawberry.field(
        default=None, description="Where you are."
    )
    socials: Maybe[list[SocialLinkInput] | None] = strawberry.field(
        default=None, description="At most 20 links."
    )
    company: Maybe[ProfileCompanyInput | None] = strawberry.field(
        default=None, description="Your company."
    )
    preferences: Maybe[ProfilePreferencesInput | None] = strawberry.field(
        default=None, description="Language and notifications."
    )
    onboarding: Maybe[ProfileOnboardingInput | None] = strawberry.field(
        default=None, description="Onboarding progress."
    )
    feature_flags: Maybe[list[str] | None] = strawberry.field(
        default=None,
        description="Features to switch on: at most 50 names of 1-64 lowercase letters, "
        "digits, `.`, `_`, `-`; null clears them.",
    )
    updated_at: datetime | None = strawberry.field(
        default=None, description="The `updatedAt` you saw; refused with a conflict if stale."
    )


@strawberry.type(description="The profile, as the mutation left it.")
class ProfileUpdateSuccess:
    profile: UserProfile = strawberry.field(description="The profile.")


ProfileUpdatePayload = Annotated[
    ProfileUpdateSuccess
    | ValidationError
    | NotFoundError
    | PermissionDeniedError
    | ConflictError
    | AuthenticationError,
    strawberry.union(
        "ProfileUpdatePayload",
        description="The profile, or why not (ConflictError: a stale `updatedAt`).",
    ),
]


@strawberry.type
class ProfileUserFields:
    """The profile's field of a user (composed in graph.schema)."""

    profile: UserProfile | None = to_one(
        "pk", description="The user's profile; null until one is saved (`profileUpdate`)."
    )
