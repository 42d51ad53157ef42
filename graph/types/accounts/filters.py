"""Accounts' enums, filter and order inputs."""

from __future__ import annotations

import enum

import strawberry

import models
from graph.kernel.enums import model_enum
from graph.kernel.filters import (
    BooleanFilter,
    DateTimeFilter,
    EntityFilter,
    IDFilter,
    IntFilter,
    OrderBy,
    StringFilter,
    by,
    entity_filter,
    on,
)
from models.accounts import PlanType
from models.search import SearchLanguage

model_enum(
    PlanType,
    "An organization's plan (recorded; no limit of the API depends on it).",
    FREE="The free plan, the default.",
    PRO="The paid plan for teams.",
    ENTERPRISE="The plan for large organizations, by contract.",
)
strawberry.enum(
    SearchLanguage,
    description="The language an organization's texts are searched in: words match their "
    "other forms in it (stemming) and its common words are ignored; SIMPLE does neither.",
)
for _language in SearchLanguage.__strawberry_definition__.values:  # type: ignore[attr-defined]
    _language.description = (
        "Words as written (lower-cased, accents folded where the server can): no stemming, "
        "no stop words."
        if _language.name == "SIMPLE"
        else f"{_language.name.title()}: stemming and stop words of that language."
    )


@strawberry.enum(description="What an API key may do, on top of its user's roles.")
class ApiKeyScope(enum.Enum):
    READ = strawberry.enum_value("read", description="Reads: queries and subscriptions.")
    WRITE = strawberry.enum_value(
        "write",
        description="Content changes (items, tags, projects, CRM records...), and reads.",
    )
    ADMIN = strawberry.enum_value(
        "admin",
        description="Changes to organizations, memberships and roles only; add WRITE for content.",
    )


# ---------------------------------------------------------------------------------------------
# Filters and orderings


@strawberry.input(description="Filter users; all given conditions must hold.")
@entity_filter
class UserFilter(EntityFilter):
    id: IDFilter | None = on(models.User.id, ref="User")
    email: StringFilter | None = on(models.User.email)
    full_name: StringFilter | None = on(models.User.full_name)
    is_active: BooleanFilter | None = on(models.User.is_active)
    created_at: DateTimeFilter | None = on(models.User.created_at)


@strawberry.enum(description="Fields users can be ordered by.")
class UserOrderField(enum.Enum):
    EMAIL = by(models.User.email)
    FULL_NAME = by(models.User.full_name)
    CREATED_AT = by(models.User.created_at)


@strawberry.input(description="One ordering term for users.")
class UserOrder(OrderBy[UserOrderField]):
    pass


@strawberry.input(description="Filter organizations; all given conditions must hold.")
@entity_filter
class OrganizationFilter(EntityFilter):
    id: IDFilter | None = on(models.Organization.id, ref="Organization")
    name: StringFilter | None = on(models.Organization.name)
    slug: StringFilter | None = on(models.Organization.slug)
    created_at: DateTimeFilter | None = on(models.Organization.created_at)


@strawberry.enum(description="Fields organizations can be ordered by.")
class OrganizationOrderField(enum.Enum):
    NAME = by(models.Organization.name)
    SLUG = by(models.Organization.slug)
    CREATED_AT = by(models.Organization.created_at)


@strawberry.input(description="One ordering term for organizations.")
class OrganizationOrder(OrderBy[OrganizationOrderField]):
    pass


@strawberry.input(description="Filter memberships; all given conditions must hold.")
@entity_filter
class MembershipFilter(EntityFilter):
    id: IDFilter | None = on(models.Membership.id, ref="Membership")
    user: IDFilter | None = on(models.Membership.user_id, ref="User")
    organization: IDFilter | None = on(models.Membership.organization_id, ref="Organization")
    role: IDFilter | None = on(models.Membership.role_id, ref="Role")
    joined_at: DateTimeFilter | None = on(models.Membership.joined_at)


@strawberry.enum(description="Fields memberships can be ordered by.")
class MembershipOrderField(enum.Enum):
    JOINED_AT = by(models.Membership.joined_at)


@strawberry.input(description="One ordering term for memberships.")
class MembershipOrder(OrderBy[MembershipOrderField]):
    pass


@strawberry.input(description="Filter roles; all given conditions must hold.")
@entity_filter
class RoleFilter(EntityFilter):
    id: IDFilter | None = on(models.Role.id, ref="Role")
    name: StringFilter | None = on(models.Role.name)
    rank: IntFilter | None = on(models.Role.rank)


@strawberry.enum(description="Fields roles can be ordered by.")
class RoleOrderField(enum.Enum):
    NAME = by(models.Role.name)
    RANK = by(models.Role.rank)


@strawberry.input(description="One ordering term for roles.")
class RoleOrder(OrderBy[RoleOrderField]):
    pass
