"""Accounts ops: organizations and their members."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

import models
from graph.kernel.errors import (
    AuthenticationFailed,
    Conflict,
    FieldErrorCode,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from graph.types.accounts import (
    OrganizationCreateInput,
    OrganizationUpdateInput,
)
from models.accounts import OWNER
from resolvers.accounts.auth import require_login
from resolvers.billing import start_plan
from resolvers.validation import Checks, FieldChecks, json_object, required, slug, text
from resolvers.writes import Writer

# ---------------------------------------------------------------------------------------------
# Ops: organizations and members


async def _builtin_role(writer: Writer, name: str) -> models.Role:
    role = await writer.session.scalar(
        select(models.Role).where(models.Role.name == name, models.Role.organization_id.is_(None))
    )
    assert role is not None, f"built-in role {name} missing: run the migrations"
    return role


ORGANIZATION_FIELDS = FieldChecks(
    name=text(),
    slug=slug(),
    plan_type=required(),
    search_language=required(),
    meta_data=json_object(),
)


async def create_organization(writer: Writer, data: OrganizationCreateInput) -> models.Organization:
    user_id = require_login(writer)
    if not writer.viewer.may_write():
        raise AuthenticationFailed("This API key cannot write.")
    checks = Checks()
    meta: Any = data.meta_data if data.meta_data is not None else {}
    values = ORGANIZATION_FIELDS.create(checks, data, meta_data=meta)
    checks.done()
    org = await writer.create(models.Organization(**values))
    owner = await _builtin_role(writer, OWNER)
    await writer.create(
        models.Membership(user_id=user_id, organization_id=org.id, role_id=owner.id)
    )
    await start_plan(writer, org)
    return org


async def update_organization(writer: Writer, data: OrganizationUpdateInput) -> models.Organization:
    org = await writer.get(models.Organization, data.id, type_name="Organization")
    writer.require("organization:update", org.id)
    checks = Checks()
    values = ORGANIZATION_FIELDS.update(checks, data)
    checks.done()
    return await writer.update(org, values, seen_updated_at=data.updated_at)


async def delete_organization(writer: Writer, *, id: str) -> models.Organization:
    org = await writer.get(models.Organization, id, type_name="Organization")
    writer.require("organization:delete", org.id)
    # Items outlive their organization and stay with their owners (as a hard delete's
    # ON DELETE SET NULL would leave them).
    await writer.update_where(
        models.Item,
        models.Item.organization_id == org.id,
        {"organization_id": None},
        {"organization_id": org.id},
    )
    await writer.delete(org)
    return org


async def _role(writer: Writer, global_id: str, organization_id: uuid.UUID) -> models.Role:
    role = await writer.get(models.Role, global_id, type_name="Role", path=("role",), lock=False)
    if role.organization_id not in (None, organization_id):
        raise NotFound("Role", global_id, ("role",))
    return role


async def _viewer_rank(writer: Writer, organization_id: uuid.UUID) -> int:
    if writer.viewer.is_superuser:
        return 1000
    rank = await writer.session.scalar(
        select(models.Role.rank)
        .join(models.Membership, models.Membership.role_id == models.Role.id)
        .where(
            models.Membership.organization_id == organization_id,
            models.Membership.user_id == writer.viewer.user_id,
        )
    )
    return rank or 0


async def _owner_count(writer: Writer, organization_id: uuid.UUID) -> int:
    """Owners of an organization, locking their memberships until the transaction ends so
    two concurrent demotions cannot both see a second owner."""
    owners = (
        await writer.session.scalars(
            select(models.Membership.id)
            .join(models.Role, models.Role.id == models.Membership.role_id)
            .where(models.Membership.organization_id == organization_id, models.Role.name == OWNER)
            .with_for_update(of=models.Membership)
        )
    ).all()
    return len(owners)


async def add_member(
    writer: Writer, *, organization: str, email: str, role: str
) -> models.Membership:
    org = await writer.get(
        models.Organization, organization, type_name="Organization", path=("organization",)
    )
    writer.require("membership:create", org.id)
    new_role = await _role(writer, role, org.id)
    if new_role.rank > await _viewer_rank(writer, org.id):
        raise PermissionDenied("membership:create", "You cannot grant a role above your own.")
    user = await writer.session.scalar(
        select(models.User).where(
            func.lower(models.User.email) == email.strip().lower(),
            models.User.deleted_at.is_(None),
        )
    )
    if user is None:
        raise ValidationFailed.one(
            ["email"], FieldErrorCode.NOT_FOUND, "No account has this email address."
        )
    return await writer.create(
        models.Membership(user_id=user.id, organization_id=org.id, role_id=new_role.id)
    )


async def change_member_role(writer: Writer, *, id: str, role: str) -> models.Membership:
    membership = await writer.get(models.Membership, id, type_name="Membership")
    org_id = membership.organization_id
    writer.require("membership:update", org_id)
    new_role = await _role(writer, role, org_id)
    current = await writer.session.get(models.Role, membership.role_id)
    assert current is not None
    rank = await _viewer_rank(writer, org_id)
    if max(new_role.rank, current.rank) > rank:
        raise PermissionDenied("membership:update", "You cannot change roles above your own.")
    if current.name == OWNER and new_role.name != OWNER and await _owner_count(writer, org_id) <= 1:
        raise Conflict("The last OWNER cannot be demoted; make someone else OWNER first.", ["role"])
    return await writer.update(membership, {"role_id": new_role.id})


async def remove_member(writer: Writer, *, id: str) -> models.Membership:
    membership = await writer.get(models.Membership, id, type_name="Membership")
    org_id = membership.organization_id
    if membership.user_id != writer.viewer.user_id:
        writer.require("membership:delete", org_id)
    current = await writer.session.get(models.Role, membership.role_id)
    assert current is not None
    if current.rank > await _viewer_rank(writer, org_id):
        raise PermissionDenied("membership:delete", "You cannot remove a member above your role.")
    if current.name == OWNER and await _owner_count(writer, org_id) <= 1:
        raise Conflict("The last OWNER cannot leave; make someone else OWNER first.")
    await writer.delete(membership)
    return membership
