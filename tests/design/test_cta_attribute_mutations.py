"""Calls to action and attributes: create, update, delete; attribute names unique per object;
a default value must fit its data type and validation rules."""

from __future__ import annotations

import pytest

from models.design import AttributeDataType, DesignObject
from tests.design.conftest import (
    DesignFactory,
    Studio,
    conflict,
    design_rows,
    invalid,
    mutation,
    without_message,
)
from tests.factories import gid
from tests.tenancy_helpers import snapshot

CTA_FIELDS = """
  ... on CallToActionSuccess {
    callToAction { id name priority userStory acceptanceCriteria designObject { name } }
  }
"""
CTA_CREATE = mutation("callToActionCreate", "CallToActionCreateInput", CTA_FIELDS)
CTA_UPDATE = mutation("callToActionUpdate", "CallToActionUpdateInput", CTA_FIELDS)
CTA_DELETE = mutation(
    "callToActionDelete",
    "CallToActionDeleteInput",
    "... on CallToActionDeleteSuccess { deletedId }",
)
ATTRIBUTE_FIELDS = """
  ... on AttributeSuccess {
    attribute {
      id name dataType isRequired defaultValue designObject { name }
      validationRules { min max minLength maxLength pattern choices }
    }
  }
"""
ATTRIBUTE_CREATE = mutation("attributeCreate", "AttributeCreateInput", ATTRIBUTE_FIELDS)
ATTRIBUTE_UPDATE = mutation("attributeUpdate", "AttributeUpdateInput", ATTRIBUTE_FIELDS)
ATTRIBUTE_DELETE = mutation(
    "attributeDelete", "AttributeDeleteInput", "... on AttributeDeleteSuccess { deletedId }"
)
NO_RULES = dict.fromkeys(("min", "max", "minLength", "maxLength", "pattern", "choices"))
STALE = "2001-01-01T00:00:00+00:00"


@pytest.fixture
async def book(studio: Studio, design: DesignFactory) -> DesignObject:
    return await design.object(studio.project, 0, 0, name="Book")


def _gid(obj: DesignObject) -> str:
    return gid("DesignObject", obj.id)


# ---------------------------------------------------------------------------------------------
# Calls to action


async def test_call_to_action_create(gql, studio, book):
    # given
    data = {
        "designObject": _gid(book),
        "name": "Borrow",
        "priority": "CRITICAL",
        "userStory": "As a reader I borrow a book",
        "acceptanceCriteria": [" Due date shown ", "Stock decremented"],
    }
    # when
    body = await gql(CTA_CREATE, {"input": data}, token=studio.editor.token)
    # then
    cta = body["data"]["callToActionCreate"]["callToAction"]
    assert {k: v for k, v in cta.items() if k != "id"} == {
        "name": "Borrow",
        "priority": "CRITICAL",
        "userStory": "As a reader I borrow a book",
        "acceptanceCriteria": ["Due date shown", "Stock decremented"],
        "designObject": {"name": "Book"},
    }


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param({"name": ""}, invalid(["name"], "REQUIRED"), id="blank-name"),
        pytest.param(
            {"acceptanceCriteria": ["ok", " "]},
            invalid(["acceptanceCriteria", "1"], "REQUIRED"),
            id="blank-criterion",
        ),
        pytest.param(
            {"acceptanceCriteria": ["x"] * 51},
            invalid(["acceptanceCriteria"], "TOO_LONG"),
            id="too-many-criteria",
        ),
        pytest.param(
            {"userStory": "x" * 5001}, invalid(["userStory"], "TOO_LONG"), id="long-story"
        ),
    ],
)
async def test_call_to_action_create_refusals(gql, db, studio, book, data, expected):
    # given
    before = await snapshot(db)
    # when
    body = await gql(
        CTA_CREATE,
        {"input": {"designObject": _gid(book), "name": "Ok", **data}},
        token=studio.editor.token,
    )
    # then
    assert without_message(body["data"]["callToActionCreate"]) == expected
    assert await snapshot(db) == before


async def test_call_to_action_update_and_delete(gql, db, studio, design, book):
    # given
    cta_id = gid("CallToAction", (await design.call_to_action(book, name="Old")).id)
    data = {"id": cta_id, "name": "New", "priority": "LOW", "acceptanceCriteria": ["Done"]}
    # when
    updated = await gql(CTA_UPDATE, {"input": data}, token=studio.editor.token)
    deleted = await gql(CTA_DELETE, {"input": {"id": cta_id}}, token=studio.editor.token)
    # then
    cta = updated["data"]["callToActionUpdate"]["callToAction"]
    assert (cta["name"], cta["priority"], cta["acceptanceCriteria"]) == ("New", "LOW", ["Done"])
    assert deleted["data"]["callToActionDelete"] == {
        "__typename": "CallToActionDeleteSuccess",
        "deletedId": cta_id,
    }
    assert (await design_rows(db))["calls_to_action"] == 0


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param({"priority": None}, invalid(["priority"], "REQUIRED"), id="null-priority"),
        pytest.param(
            {"acceptanceCriteria": None}, invalid(["acceptanceCriteria"], "REQUIRED"), id="null-ac"
        ),
        pytest.param({"updatedAt": STALE}, conflict(["updatedAt"]), id="stale"),
    ],
)
async def test_call_to_action_update_refusals(gql, db, studio, design, book, data, expected):
    # given
    cta_id = gid("CallToAction", (await design.call_to_action(book)).id)
    before = await snapshot(db)
    # when
    body = await gql(CTA_UPDATE, {"input": {"id": cta_id, **data}}, token=studio.editor.token)
    # then
    assert without_message(body["data"]["callToActionUpdate"]) == expected
    assert await snapshot(db) == before


# ---------------------------------------------------------------------------------------------
# Attributes: defaults that fit


@pytest.mark.parametrize(
    ("data_type", "default", "rules", "stored_rules"),
    [
        pytest.param("STRING", "ISBN-123", {"minLength": 3, "maxLength": 20,
                     "pattern": "ISBN-\\d+"}, {"minLength": 3, "maxLength": 20,
                     "pattern": "ISBN-\\d+"}, id="string"),
        pytest.param("INTEGER", 5, {"min": 0, "max": 10}, {"min": 0.0, "max": 10.0}, id="integer"),
        pytest.param("NUMBER", 9.99, {"min": 0.5}, {"min": 0.5}, id="number"),
        pytest.param("NUMBER", 3, None, {}, id="number-from-int"),
        pytest.param("BOOLEAN", False, None, {}, id="boolean"),
        pytest.param("DATE", "2026-02-28", None, {}, id="date"),
        pytest.param("ENUM", "paperback", {"choices": ["hardcover", "paperback"]},
                     {"choices": ["hardcover", "paperback"]}, id="enum"),
        pytest.param("INTEGER", None, {"min": -5}, {"min": -5.0}, id="no-default"),
    ],
)  # fmt: skip
async def test_attribute_create(gql, studio, book, data_type, default, rules, stored_rules):
    # given
    data = {
        "designObject": _gid(book),
        "name": "field",
        "dataType": data_type,
        "isRequired": True,
        "defaultValue": default,
        "validationRules": rules,
    }
    # when
    body = await gql(ATTRIBUTE_CREATE, {"input": data}, token=studio.editor.token)
    # then
    payload = body["data"]["attributeCreate"]
    assert payload["__typename"] == "AttributeSuccess", payload
    attribute = payload["attribute"]
    assert {k: v for k, v in attribute.items() if k != "id"} == {
        "name": "field",
        "dataType": data_type,
        "isRequired": True,
        "defaultValue": default,
        "designObject": {"name": "Book"},
        "validationRules": {**NO_RULES, **stored_rules},
    }


# ---------------------------------------------------------------------------------------------
# Attributes: defaults and rules that do not fit

DV = ["defaultValue"]


def rule(name: str) -> list[str]:
    return ["validationRules", name]


@pytest.mark.parametrize(
    ("data_type", "default", "rules", "path", "code"),
    [
        pytest.param("STRING", 12, None, DV, "INVALID", id="string-not-string"),
        pytest.param("STRING", "ab", {"minLength": 3}, DV, "TOO_SHORT", id="string-short"),
        pytest.param("STRING", "abcd", {"maxLength": 3}, DV, "TOO_LONG", id="string-long"),
        pytest.param("STRING", "abc", {"pattern": "\\d+"}, DV, "INVALID_FORMAT", id="pattern"),
        pytest.param("INTEGER", 1.5, None, DV, "INVALID", id="integer-fraction"),
        pytest.param("INTEGER", "5", None, DV, "INVALID", id="integer-string"),
        pytest.param("INTEGER", True, None, DV, "INVALID", id="integer-bool"),
        pytest.param("INTEGER", 11, {"max": 10}, DV, "OUT_OF_RANGE", id="integer-max"),
        pytest.param("INTEGER", -1, {"min": 0}, DV, "OUT_OF_RANGE", id="integer-negative"),
        pytest.param("INTEGER", 10**18, None, DV, "OUT_OF_RANGE", id="integer-absurd"),
        pytest.param("NUMBER", "1.5", None, DV, "INVALID", id="number-string"),
        pytest.param("NUMBER", 0.1, {"min": 0.5}, DV, "OUT_OF_RANGE", id="number-min"),
        pytest.param("BOOLEAN", "true", None, DV, "INVALID", id="boolean-string"),
        pytest.param("BOOLEAN", 1, None, DV, "INVALID", id="boolean-int"),
        pytest.param("DATE", "2026-02-30", None, DV, "INVALID_FORMAT", id="date-impossible"),
        pytest.param("DATE", "28/02/2026", None, DV, "INVALID_FORMAT", id="date-format"),
        pytest.param("DATE", 20260228, None, DV, "INVALID_FORMAT", id="date-number"),
        pytest.param("ENUM", "ebook", {"choices": ["paper"]}, DV, "INVALID", id="enum-choice"),
        pytest.param("ENUM", None, None, rule("choices"), "REQUIRED", id="enum-no-choices"),
        pytest.param("ENUM", None, {"choices": []}, rule("choices"), "REQUIRED", id="enum-empty"),
        pytest.param("ENUM", None, {"choices": ["a", "a"]}, rule("choices"), "INVALID",
                     id="enum-duplicates"),
        pytest.param("STRING", None, {"min": 1}, rule("min"), "INVALID", id="min-on-string"),
        pytest.param("INTEGER", None, {"pattern": "x"}, rule("pattern"), "INVALID",
                     id="pattern-on-integer"),
        pytest.param("BOOLEAN", None, {"choices": ["a"]}, rule("choices"), "INVALID",
                     id="choices-on-boolean"),
        pytest.param("INTEGER", None, {"min": 0.5}, rule("min"), "INVALID", id="integer-min-frac"),
        pytest.param("INTEGER", None, {"min": 5, "max": 1}, rule("max"), "OUT_OF_RANGE",
                     id="max-below-min"),
        pytest.param("NUMBER", None, {"max": 1e300}, rule("max"), "OUT_OF_RANGE", id="max-absurd"),
        pytest.param("STRING", None, {"minLength": -1}, rule("minLength"), "OUT_OF_RANGE",
                     id="negative-min-length"),
        pytest.param("STRING", None, {"minLength": 5, "maxLength": 2}, rule("maxLength"),
                     "OUT_OF_RANGE", id="max-length-below-min"),
        pytest.param("STRING", None, {"pattern": "("}, rule("pattern"), "INVALID_FORMAT",
                     id="bad-pattern"),
        pytest.param("STRING", None, {"pattern": "(a+)+$"}, rule("pattern"), "INVALID",
                     id="nested-repetition"),
        pytest.param("NUMBER", 10**400, None, DV, "OUT_OF_RANGE", id="number-huge"),
    ],
)  # fmt: skip
async def test_attribute_create_refuses_a_default_or_rule_that_does_not_fit(
    gql, db, studio, book, data_type, default, rules, path, code
):
    # given
    before = await snapshot(db)
    data = {
        "designObject": _gid(book),
        "name": "field",
        "dataType": data_type,
        "defaultValue": default,
        "validationRules": rules,
    }
    # when
    body = await gql(ATTRIBUTE_CREATE, {"input": data}, token=studio.editor.token)
    # then
    assert without_message(body["data"]["attributeCreate"]) == invalid(path, code)
    assert await snapshot(db) == before


async def test_attribute_names_are_unique_per_object(gql, db, studio, design, book):
    # given
    await design.attribute(book, name="isbn")
    other = await design.object(studio.project, 1, 0)
    await design.attribute(other, name="title")
    before = await snapshot(db)
    # when
    taken = await gql(
        ATTRIBUTE_CREATE, {"input": {"designObject": _gid(book), "name": "isbn"}},
        token=studio.editor.token,
    )  # fmt: skip
    free = await gql(
        ATTRIBUTE_CREATE, {"input": {"designObject": _gid(other), "name": "isbn"}},
        token=studio.editor.token,
    )  # fmt: skip
    # then
    assert without_message(taken["data"]["attributeCreate"]) == invalid(["name"], "ALREADY_EXISTS")
    assert free["data"]["attributeCreate"]["__typename"] == "AttributeSuccess"
    assert (await design_rows(db))["design_attributes"] == len(before["design_attributes"]) + 1


async def test_attribute_rename_to_a_taken_name_is_refused(gql, db, studio, design, book):
    # given
    await design.attribute(book, name="isbn")
    title = await design.attribute(book, name="title")
    before = await snapshot(db)
    # when
    body = await gql(
        ATTRIBUTE_UPDATE, {"input": {"id": gid("Attribute", title.id), "name": "isbn"}},
        token=studio.editor.token,
    )  # fmt: skip
    # then
    assert without_message(body["data"]["attributeUpdate"]) == invalid(["name"], "ALREADY_EXISTS")
    assert await snapshot(db) == before


# ---------------------------------------------------------------------------------------------
# Attribute updates: the resulting type, rules and default are checked together


async def test_attribute_update(gql, studio, design, book):
    # given
    attribute = await design.attribute(book, name="pages", data_type=AttributeDataType.INTEGER,
                                       default_value=100, validation_rules={"min": 1})  # fmt: skip
    data = {
        "id": gid("Attribute", attribute.id),
        "name": "page_count",
        "isRequired": True,
        "defaultValue": 250,
        "validationRules": {"min": 1, "max": 5000},
    }
    # when
    body = await gql(ATTRIBUTE_UPDATE, {"input": data}, token=studio.editor.token)
    # then
    updated = body["data"]["attributeUpdate"]["attribute"]
    assert (updated["name"], updated["isRequired"], updated["defaultValue"]) == (
        "page_count",
        True,
        250,
    )
    assert updated["validationRules"] == {**NO_RULES, "min": 1.0, "max": 5000.0}


async def test_attribute_update_type_change_with_a_new_default(gql, studio, design, book):
    # given
    attribute = await design.attribute(book, data_type=AttributeDataType.INTEGER, default_value=3)
    data = {"id": gid("Attribute", attribute.id), "dataType": "STRING", "defaultValue": "three"}
    # when
    body = await gql(ATTRIBUTE_UPDATE, {"input": data}, token=studio.editor.token)
    # then
    updated = body["data"]["attributeUpdate"]["attribute"]
    assert (updated["dataType"], updated["defaultValue"]) == ("STRING", "three")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # the kept default (3) is no string
        pytest.param({"dataType": "STRING", "validationRules": None}, invalid(DV, "INVALID"),
                     id="type-change-keeps-default"),
        # the kept rules (min 1) do not apply to booleans
        pytest.param({"dataType": "BOOLEAN", "defaultValue": True}, invalid(rule("min"), "INVALID"),
                     id="type-change-keeps-rules"),
        # the kept default (3) is below the new minimum
        pytest.param({"validationRules": {"min": 5}}, invalid(DV, "OUT_OF_RANGE"),
                     id="new-rules-vs-kept-default"),
        pytest.param({"defaultValue": 0}, invalid(DV, "OUT_OF_RANGE"), id="new-default-vs-rules"),
        pytest.param({"dataType": None}, invalid(["dataType"], "REQUIRED"), id="null-type"),
        pytest.param({"isRequired": None}, invalid(["isRequired"], "REQUIRED"), id="null-required"),
        pytest.param({"updatedAt": STALE}, conflict(["updatedAt"]), id="stale"),
    ],
)  # fmt: skip
async def test_attribute_update_refusals(gql, db, studio, design, book, data, expected):
    # given
    attribute = await design.attribute(
        book, data_type=AttributeDataType.INTEGER, default_value=3, validation_rules={"min": 1}
    )
    before = await snapshot(db)
    # when
    body = await gql(
        ATTRIBUTE_UPDATE, {"input": {"id": gid("Attribute", attribute.id), **data}},
        token=studio.editor.token,
    )  # fmt: skip
    # then
    assert without_message(body["data"]["attributeUpdate"]) == expected
    assert await snapshot(db) == before


async def test_attribute_update_removes_default_and_rules(gql, studio, design, book):
    # given
    attribute = await design.attribute(
        book, data_type=AttributeDataType.INTEGER, default_value=3, validation_rules={"min": 1}
    )
    data = {"id": gid("Attribute", attribute.id), "defaultValue": None, "validationRules": None}
    # when
    body = await gql(ATTRIBUTE_UPDATE, {"input": data}, token=studio.editor.token)
    # then
    updated = body["data"]["attributeUpdate"]["attribute"]
    assert (updated["defaultValue"], updated["validationRules"]) == (None, NO_RULES)


async def test_attribute_delete(gql, db, studio, design, book):
    # given
    attribute_id = gid("Attribute", (await design.attribute(book)).id)
    # when
    body = await gql(ATTRIBUTE_DELETE, {"input": {"id": attribute_id}}, token=studio.editor.token)
    # then
    assert body["data"]["attributeDelete"] == {
        "__typename": "AttributeDeleteSuccess",
        "deletedId": attribute_id,
    }
    assert (await design_rows(db))["design_attributes"] == 0
