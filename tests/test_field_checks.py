"""One table of field checks serves an entity's create (every field) and update (only the
fields given, `Maybe`): the two report the same problems, in the table's order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from strawberry import Some

from graph.kernel.errors import FieldErrorCode, FieldProblem
from resolvers.validation import Checks, FieldChecks, in_range, optional_text, required, text

TABLE = FieldChecks(
    title=text(max_length=5),
    size_sqft=in_range(0),
    city=optional_text(max_length=3),
    bedrooms=required(in_range(0)),
)


@dataclass
class Create:
    title: str | None = "Flat"
    size_sqft: int | None = None
    city: str | None = None
    bedrooms: int | None = 1


@dataclass
class Update:
    title: Some[Any] | None = None
    size_sqft: Some[Any] | None = None
    city: Some[Any] | None = None
    bedrooms: Some[Any] | None = None


def test_create_checks_and_returns_every_field() -> None:
    checks = Checks()
    values = TABLE.create(checks, Create(title="  Loft ", city="  "))
    assert checks.problems == []
    assert values == {"title": "Loft", "size_sqft": None, "city": None, "bedrooms": 1}


def test_create_takes_an_op_given_value_instead_of_the_input_s() -> None:
    checks = Checks()
    values = TABLE.create(checks, Create(bedrooms=None), bedrooms=2)
    assert (checks.problems, values["bedrooms"]) == ([], 2)


def test_update_checks_and_returns_only_the_fields_given() -> None:
    checks = Checks()
    values = TABLE.update(checks, Update(city=Some("Rio"), size_sqft=Some(None)))
    assert checks.problems == []
    assert values == {"size_sqft": None, "city": "Rio"}


@pytest.mark.parametrize(
    "run",
    [
        pytest.param(
            lambda c: TABLE.create(c, Create(title="Too long", size_sqft=-1, bedrooms=None)),
            id="create",
        ),
        pytest.param(
            lambda c: TABLE.update(
                c,
                Update(title=Some("Too long"), size_sqft=Some(-1), bedrooms=Some(None)),
            ),
            id="update",
        ),
    ],
)
def test_create_and_update_report_the_same_problems_in_the_table_order(run: Any) -> None:
    checks = Checks()
    run(checks)
    assert checks.problems == [
        FieldProblem(("title",), FieldErrorCode.TOO_LONG, "Must be at most 5 characters."),
        FieldProblem(("sizeSqft",), FieldErrorCode.OUT_OF_RANGE, "Must be at least 0."),
        FieldProblem(("bedrooms",), FieldErrorCode.REQUIRED, "Cannot be null."),
    ]
