"""Accounts in the Query type."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.context import Info
from graph.kernel import prefetch
from graph.kernel.fields import by_id, root_list, viewer_node
from graph.kernel.filters import StringFilter
from graph.kernel.paging import PageArgs
from graph.types.accounts import (
    ApiKeyConnection,
    Organization,
    OrganizationConnection,
    OrganizationFilter,
    RoleConnection,
    User,
    UserConnection,
)


async def organization_by_slug(
    info: Info,
    slug: Annotated[
        str, strawberry.argument(description="The organization's `slug`, exactly (lowercase).")
    ],
) -> Organization | None:
    # By key, like by ID: an archived organization is found too.
    by_slug = PageArgs(
        OrganizationFilter(slug=StringFilter(eq=slug)), first=1, include_archived=True
    )
    default_order = OrganizationConnection.__default_order__
    page = await prefetch.root_connection(
        info, OrganizationConnection, Organization, by_slug, default_order=default_order
    )
    return page.nodes[0] if page.nodes else None


@strawberry.type
class AccountsQuery:
    user: User | None = by_id(description="A user you can see, by ID.")
    organization: Organization | None = by_id(description="An organization you belong to, by ID.")
    me: User | None = viewer_node(description="The signed-in user; null when anonymous.")
    users: UserConnection = root_list(
        description="Users you can see: yourself and members of your organizations."
    )
    organizations: OrganizationConnection = root_list(description="Organizations you belong to.")

    organization_by_slug: Organization | None = strawberry.field(
        resolver=organization_by_slug,
        description="An organization you belong to, by slug.",
    )
    roles: RoleConnection = root_list(
        description="Roles: the built-in ones and those of your organizations."
    )
    api_keys: ApiKeyConnection = root_list(description="Your API keys, newest first.")
