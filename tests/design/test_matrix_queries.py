"""Reading the matrix: a project's objects by cell, type and name; an object's relationships
in both directions with the objects at the other end; its calls to action and attributes."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from models.design import (
    AttributeDataType,
    CallToActionPriority,
    Cardinality,
    DesignObject,
)
from tests.design.conftest import DesignFactory, Studio
from tests.factories import gid

OBJECTS = """
query Objects($id: ID!, $filter: DesignObjectFilter, $orderBy: [DesignObjectOrder!],
              $first: Int, $after: String, $last: Int, $before: String) {
  project(id: $id) {
    objects(filter: $filter, orderBy: $orderBy, first: $first, after: $after,
            last: $last, before: $before) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      nodes { name positionX positionY }
    }
  }
}
"""

OBJECT = """
query Object($id: ID!) {
  node(id: $id) {
    ... on DesignObject {
      id name description positionX positionY objectType complexity metaData
      project { id }
      createdBy { id }
      outgoingRelationships {
        totalCount
        nodes { relationshipType cardinality description source { name } target { name } }
      }
      incomingRelationships { totalCount nodes { relationshipType source { name } } }
      callsToAction { nodes { name priority userStory acceptanceCriteria designObject { name } } }
      attributes {
        nodes {
          name dataType isRequired defaultValue designObject { name }
          validationRules { min max minLength maxLength pattern choices }
        }
      }
    }
  }
}
"""

NESTED_FILTERS = """
query NestedFilters($id: ID!, $rel: RelationshipFilter, $cta: CallToActionFilter,
                    $attr: AttributeFilter, $ctaOrder: [CallToActionOrder!],
                    $attrOrder: [AttributeOrder!]) {
  node(id: $id) {
    ... on DesignObject {
      outgoingRelationships(filter: $rel) { nodes { target { name } } }
      callsToAction(filter: $cta, orderBy: $ctaOrder) { nodes { name } }
      attributes(filter: $attr, orderBy: $attrOrder) { nodes { name } }
    }
  }
}
"""

MATRIX = """
query Matrix($id: ID!) {
  project(id: $id) {
    name
    objects(first: 100) { nodes { id name positionX positionY } }
    relationships(first: 100) { nodes { source { name } target { name } cardinality } }
  }
}
"""


@dataclass
class Matrix:
    """A 3x2 matrix: row 0 = Customer Order Book; row 1 = Author Review Payment."""

    studio: Studio
    objects: dict[str, DesignObject]

    def id(self, name: str) -> str:
        return gid("DesignObject", self.objects[name].id)


CELLS = {
    "Customer": (0, 0),
    "Order": (1, 0),
    "Book": (2, 0),
    "Author": (0, 1),
    "Review": (1, 1),
    "Payment": (2, 1),
}


@pytest.fixture
async def matrix(studio: Studio, design: DesignFactory) -> Matrix:
    objects = {}
    for name, (x, y) in CELLS.items():
        objects[name] = await design.object(
            studio.project,
            x,
            y,
            name=name,
            object_type="process" if name in ("Order", "Payment") else "entity",
            complexity=len(name) % 10 + 1,
        )
    return Matrix(studio, objects)


async def _objects(gql, matrix: Matrix, **variables):
    body = await gql(
        OBJECTS, {"id": matrix.studio.project_id, **variables}, token=matrix.studio.viewer.token
    )
    return body["data"]["project"]["objects"]


async def test_objects_come_row_by_row(gql, matrix):
    # when
    objects = await _objects(gql, matrix)
    # then
    assert [(n["name"], n["positionX"], n["positionY"]) for n in objects["nodes"]] == [
        (name, x, y) for name, (x, y) in CELLS.items()
    ]
    assert objects["totalCount"] == 6


@pytest.mark.parametrize(
    ("flt", "names"),
    [
        pytest.param({"positionX": {"eq": 1}, "positionY": {"eq": 1}}, ["Review"], id="cell"),
        pytest.param({"positionX": {"eq": 2}, "positionY": {"eq": 2}}, [], id="empty-cell"),
        pytest.param({"positionX": {"gte": 1, "lte": 2}, "positionY": {"eq": 0}},
                     ["Order", "Book"], id="row-range"),
        pytest.param({"positionY": {"gt": 0}, "positionX": {"lt": 2}},
                     ["Author", "Review"], id="region"),
        pytest.param({"positionX": {"in": [0, 2]}}, ["Customer", "Book", "Author", "Payment"],
                     id="columns-in"),
        pytest.param({"objectType": {"eq": "process"}}, ["Order", "Payment"], id="object-type"),
        pytest.param({"name": {"contains": "O"}}, ["Order", "Book", "Author", "Customer"],
                     id="name-contains"),
        pytest.param({"complexity": {"gte": 7}}, ["Customer", "Author", "Payment", "Review"],
                     id="complexity"),
        pytest.param({"or": [{"name": {"eq": "Book"}}, {"positionY": {"eq": 1}}]},
                     ["Book", "Author", "Review", "Payment"], id="or"),
    ],
)  # fmt: skip
async def test_objects_filter(gql, matrix, flt, names):
    # when
    objects = await _objects(gql, matrix, filter=flt)
    # then
    assert sorted(n["name"] for n in objects["nodes"]) == sorted(names)
    assert objects["totalCount"] == len(names)


@pytest.mark.parametrize(
    ("order", "names"),
    [
        pytest.param([{"field": "POSITION_X"}, {"field": "POSITION_Y"}],
                     ["Customer", "Author", "Order", "Review", "Book", "Payment"], id="by-column"),
        pytest.param([{"field": "NAME", "direction": "DESC"}],
                     ["Review", "Payment", "Order", "Customer", "Book", "Author"], id="name-desc"),
        pytest.param([{"field": "OBJECT_TYPE", "direction": "DESC"}, {"field": "NAME"}],
                     ["Order", "Payment", "Author", "Book", "Customer", "Review"], id="type-name"),
    ],
)  # fmt: skip
async def test_objects_order(gql, matrix, order, names):
    # when
    objects = await _objects(gql, matrix, orderBy=order)
    # then
    assert [n["name"] for n in objects["nodes"]] == names


async def test_objects_paginate_forward_and_backward(gql, matrix):
    # when
    first = await _objects(gql, matrix, first=4)
    second = await _objects(gql, matrix, first=4, after=first["pageInfo"]["endCursor"])
    back = await _objects(gql, matrix, last=4, before=second["pageInfo"]["startCursor"])
    # then
    assert [n["name"] for n in first["nodes"]] == ["Customer", "Order", "Book", "Author"]
    assert first["pageInfo"]["hasNextPage"] is True
    assert [n["name"] for n in second["nodes"]] == ["Review", "Payment"]
    assert (second["pageInfo"]["hasNextPage"], second["pageInfo"]["hasPreviousPage"]) == (
        False,
        True,
    )
    assert [n["name"] for n in back["nodes"]] == ["Customer", "Order", "Book", "Author"]


async def test_object_with_relationships_calls_to_action_and_attributes(gql, matrix, design):
    # given
    o, studio = matrix.objects, matrix.studio
    await design.relationship(o["Customer"], o["Order"], relationship_type="places")
    await design.relationship(
        o["Order"], o["Book"], relationship_type="contains", cardinality=Cardinality.MANY_TO_MANY,
        description="Line items",
    )  # fmt: skip
    await design.relationship(o["Order"], o["Order"], relationship_type="replaces")
    await design.call_to_action(
        o["Order"], name="Check out", priority=CallToActionPriority.HIGH,
        user_story="As a customer I pay my basket", acceptance_criteria=["Paid", "Emailed"],
    )  # fmt: skip
    await design.attribute(
        o["Order"], name="total", data_type=AttributeDataType.NUMBER, is_required=True,
        default_value=0, validation_rules={"min": 0, "max": 100000},
    )  # fmt: skip
    await design.attribute(
        o["Order"], name="state", data_type=AttributeDataType.ENUM, default_value="open",
        validation_rules={"choices": ["open", "paid"]},
    )  # fmt: skip
    # when
    body = await gql(OBJECT, {"id": matrix.id("Order")}, token=studio.viewer.token)
    # then
    obj = body["data"]["node"]
    assert obj["outgoingRelationships"] == {
        "totalCount": 2,
        "nodes": [
            {"relationshipType": "contains", "cardinality": "MANY_TO_MANY",
             "description": "Line items", "source": {"name": "Order"}, "target": {"name": "Book"}},
            {"relationshipType": "replaces", "cardinality": "ONE_TO_MANY",
             "description": None, "source": {"name": "Order"}, "target": {"name": "Order"}},
        ],
    }  # fmt: skip
    assert obj["incomingRelationships"] == {
        "totalCount": 2,
        "nodes": [
            {"relationshipType": "places", "source": {"name": "Customer"}},
            {"relationshipType": "replaces", "source": {"name": "Order"}},
        ],
    }
    assert obj["callsToAction"]["nodes"] == [
        {"name": "Check out", "priority": "HIGH", "userStory": "As a customer I pay my basket",
         "acceptanceCriteria": ["Paid", "Emailed"], "designObject": {"name": "Order"}},
    ]  # fmt: skip
    no_rules = dict.fromkeys(("min", "max", "minLength", "maxLength", "pattern", "choices"))
    state_rules = {**no_rules, "choices": ["open", "paid"]}
    total_rules = {**no_rules, "min": 0, "max": 100000}
    assert obj["attributes"]["nodes"] == [
        {"name": "state", "dataType": "ENUM", "isRequired": False, "defaultValue": "open",
         "designObject": {"name": "Order"}, "validationRules": state_rules},
        {"name": "total", "dataType": "NUMBER", "isRequired": True, "defaultValue": 0,
         "designObject": {"name": "Order"}, "validationRules": total_rules},
    ]  # fmt: skip
    assert obj["project"] == {"id": studio.project_id}


async def test_nested_filters_and_orders(gql, matrix, design):
    # given
    o = matrix.objects
    await design.relationship(o["Order"], o["Book"], cardinality=Cardinality.MANY_TO_MANY)
    await design.relationship(o["Order"], o["Payment"], cardinality=Cardinality.ONE_TO_ONE)
    for name, priority in (("a", "LOW"), ("b", "CRITICAL"), ("c", "MEDIUM")):
        await design.call_to_action(o["Order"], name=name, priority=CallToActionPriority[priority])
    await design.attribute(o["Order"], name="paid", data_type=AttributeDataType.BOOLEAN)
    await design.attribute(o["Order"], name="note", is_required=True)
    await design.attribute(o["Order"], name="count", data_type=AttributeDataType.INTEGER)
    variables = {
        "id": matrix.id("Order"),
        "rel": {"cardinality": {"in": ["ONE_TO_ONE"]}},
        "cta": {"priority": {"ne": "MEDIUM"}},
        "ctaOrder": [{"field": "PRIORITY", "direction": "DESC"}],
        "attr": {"or": [{"isRequired": {"eq": True}}, {"dataType": {"eq": "INTEGER"}}]},
        "attrOrder": [{"field": "DATA_TYPE"}],
    }
    # when
    body = await gql(NESTED_FILTERS, variables, token=matrix.studio.owner.token)
    # then
    assert body["data"]["node"] == {
        "outgoingRelationships": {"nodes": [{"target": {"name": "Payment"}}]},
        "callsToAction": {"nodes": [{"name": "b"}, {"name": "a"}]},
        "attributes": {"nodes": [{"name": "note"}, {"name": "count"}]},
    }


async def test_whole_matrix_in_one_request(gql, matrix, design):
    # given
    o = matrix.objects
    await design.relationship(o["Customer"], o["Order"])
    await design.relationship(o["Author"], o["Book"], cardinality=Cardinality.MANY_TO_MANY)
    # when
    body = await gql(MATRIX, {"id": matrix.studio.project_id}, token=matrix.studio.viewer.token)
    # then
    project = body["data"]["project"]
    assert [n["name"] for n in project["objects"]["nodes"]] == list(CELLS)
    assert project["relationships"]["nodes"] == [
        {"source": {"name": "Customer"}, "target": {"name": "Order"}, "cardinality": "ONE_TO_MANY"},
        {"source": {"name": "Author"}, "target": {"name": "Book"}, "cardinality": "MANY_TO_MANY"},
    ]
