"""The field factories: what they record is what the prefetch planner and the compiler follow,
and a shared type composed from several domains gets each field once."""

from __future__ import annotations

import pytest
import strawberry

from graph.kernel.fields import compose, to_many
from graph.kernel.relations import ToOne, relations_of
from graph.schema import schema  # noqa: F401  (builds the schema: the types are composed)
from graph.types.accounts import Organization, User
from graph.types.catalog import Item
from models.catalog import Item as ItemModel


def test_organization_has_every_domain_s_relations_in_sdl_order() -> None:
    relations = relations_of(Organization)
    assert list(relations) == [
        *("history", "memberships", "invitations", "items", "tags", "properties", "clients"),
        *("projects",),
        *("files", "jobs", "plan", "plan_changes", "billing_details", "invoices"),
        *("contents", "ai_models"),
    ]
    one_to_one = {"plan", "billing_details"}
    assert all(isinstance(r, ToOne) == (n in one_to_one) for n, r in relations.items())


def test_a_relation_records_its_target_and_key() -> None:
    owner = relations_of(Item)["owner"]
    assert isinstance(owner, ToOne)
    assert (owner.target, owner.attribute) == (User, "owner_id")


def test_composing_a_field_twice_is_refused() -> None:
    @strawberry.type
    class Items:
        items: list[int] = to_many(ItemModel.owner_id)

    with pytest.raises(TypeError, match=r"User\.items is declared twice"):
        compose(User, Items)
