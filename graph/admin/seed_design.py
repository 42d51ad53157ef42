"""Demo data for the design domain, loaded by graph.admin.seed into the demo organization: one
online-bookstore project, its matrix of objects, their relationships, calls to action and
attributes, and project members."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models.design import (
    Attribute,
    AttributeDataType,
    CallToAction,
    CallToActionPriority,
    Cardinality,
    DesignObject,
    Project,
    ProjectMember,
    ProjectRole,
    ProjectStatus,
    Relationship,
)

# name: (x, y, object_type, complexity, description)
OBJECTS: dict[str, tuple[int, int, str, int, str]] = {
    "Customer": (0, 0, "actor", 3, "Someone who buys books."),
    "Cart": (1, 0, "entity", 2, "Books a customer is about to buy."),
    "Order": (2, 0, "entity", 5, "A confirmed purchase."),
    "Payment": (3, 0, "process", 6, "Money moving from customer to shop."),
    "Book": (0, 1, "entity", 4, "A title the shop sells."),
    "Author": (1, 1, "entity", 2, "Who wrote a book."),
    "Review": (2, 1, "entity", 3, "A customer's opinion of a book."),
    "Shipment": (3, 1, "process", 7, "Getting an order to the customer."),
    "Warehouse": (0, 2, "place", 4, "Where stock is kept."),
}
# (source, target, type, cardinality)
RELATIONSHIPS = (
    ("Customer", "Cart", "owns", Cardinality.ONE_TO_ONE),
    ("Cart", "Book", "contains", Cardinality.MANY_TO_MANY),
    ("Customer", "Order", "places", Cardinality.ONE_TO_MANY),
    ("Order", "Book", "contains", Cardinality.MANY_TO_MANY),
    ("Order", "Payment", "is paid by", Cardinality.ONE_TO_MANY),
    ("Order", "Shipment", "is delivered by", Cardinality.ONE_TO_MANY),
    ("Author", "Book", "writes", Cardinality.MANY_TO_MANY),
    ("Customer", "Review", "writes", Cardinality.ONE_TO_MANY),
    ("Review", "Book", "rates", Cardinality.MANY_TO_ONE),
    ("Warehouse", "Book", "stocks", Cardinality.MANY_TO_MANY),
    ("Shipment", "Warehouse", "leaves from", Cardinality.MANY_TO_ONE),
)
# object: [(name, priority, user story, acceptance criteria)]
CALLS_TO_ACTION: dict[str, list[tuple[str, CallToActionPriority, str, list[str]]]] = {
    "Book": [
        ("Add to cart", CallToActionPriority.CRITICAL, "As a customer I put a book in my cart.",
         ["The cart shows the book", "The cart total is updated"]),
        ("Read a sample", CallToActionPriority.LOW, "As a customer I read the first pages.", []),
    ],
    "Cart": [
        ("Check out", CallToActionPriority.CRITICAL, "As a customer I buy what is in my cart.",
         ["An order is created", "The cart is emptied"]),
    ],
    "Order": [
        ("Track", CallToActionPriority.HIGH, "As a customer I see where my order is.",
         ["The shipment status is shown"]),
        ("Cancel", CallToActionPriority.MEDIUM, "As a customer I cancel before shipping.",
         ["Refused once shipped", "The payment is refunded"]),
    ],
    "Review": [
        ("Write a review", CallToActionPriority.MEDIUM, "As a reader I rate a book I bought.",
         ["Only buyers may review", "1 to 5 stars"]),
    ],
    "Author": [("Follow", CallToActionPriority.LOW, "As a reader I follow an author.", [])],
}  # fmt: skip
# object: [(name, data type, required, default, rules)]
ATTRIBUTES: dict[str, list[tuple[str, AttributeDataType, bool, Any, dict[str, Any]]]] = {
    "Book": [
        ("isbn", AttributeDataType.STRING, True, None, {"pattern": r"\d{13}"}),
        ("title", AttributeDataType.STRING, True, None, {"min_length": 1, "max_length": 300}),
        ("price", AttributeDataType.NUMBER, True, 9.99, {"min": 0}),
        ("format", AttributeDataType.ENUM, True, "paperback",
         {"choices": ["hardcover", "paperback", "ebook"]}),
        ("published_on", AttributeDataType.DATE, False, "2026-01-15", {}),
    ],
    "Order": [
        ("status", AttributeDataType.ENUM, True, "open",
         {"choices": ["open", "paid", "shipped", "cancelled"]}),
        ("item_count", AttributeDataType.INTEGER, True, 1, {"min": 1, "max": 100}),
        ("gift", AttributeDataType.BOOLEAN, False, False, {}),
    ],
    "Review": [
        ("stars", AttributeDataType.INTEGER, True, 5, {"min": 1, "max": 5}),
        ("text", AttributeDataType.STRING, False, "", {"max_length": 2000}),
    ],
    "Customer": [
        ("email", AttributeDataType.STRING, True, None, {"pattern": r"[^@\s]+@[^@\s]+"}),
        ("newsletter", AttributeDataType.BOOLEAN, False, True, {}),
    ],
}  # fmt: skip


async def seed_design(
    session: AsyncSession, organization_id: uuid.UUID, user_ids: list[uuid.UUID]
) -> None:
    """Demo rows for the organization; `user_ids` are owner, admin, editor, viewer."""
    owner, _admin, editor, viewer = user_ids
    project = Project(
        organization_id=organization_id,
        owner_id=owner,
        name="Online bookstore",
        description="The object/relationship matrix of a small online bookshop.",
        status=ProjectStatus.ACTIVE,
        settings={"grid": {"columns": 4, "rows": 3}},
    )
    session.add(project)
    await session.flush()
    scope = {"project_id": project.id, "organization_id": organization_id}
    session.add_all(
        ProjectMember(**scope, user_id=user, role=role)
        for user, role in (
            (owner, ProjectRole.OWNER),
            (editor, ProjectRole.EDITOR),
            (viewer, ProjectRole.VIEWER),
        )
    )
    objects = {
        name: DesignObject(
            **scope, name=name, position_x=x, position_y=y, object_type=kind,
            complexity=complexity, description=description, created_by=editor,
        )
        for name, (x, y, kind, complexity, description) in OBJECTS.items()
    }  # fmt: skip
    session.add_all(objects.values())
    await session.flush()
    session.add_all(
        Relationship(
            **scope, source_id=objects[source].id, target_id=objects[target].id,
            relationship_type=kind, cardinality=cardinality,
        )
        for source, target, kind, cardinality in RELATIONSHIPS
    )  # fmt: skip
    session.add_all(
        CallToAction(
            **scope, object_id=objects[obj].id, name=name, priority=priority,
            user_story=story, acceptance_criteria=criteria,
        )
        for obj, actions in CALLS_TO_ACTION.items()
        for name, priority, story, criteria in actions
    )  # fmt: skip
    session.add_all(
        Attribute(
            **scope, object_id=objects[obj].id, name=name, data_type=data_type,
            is_required=required, default_value=default, validation_rules=rules,
        )
        for obj, attributes in ATTRIBUTES.items()
        for name, data_type, required, default, rules in attributes
    )  # fmt: skip
    await session.flush()
