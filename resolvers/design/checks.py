"""Input checks particular to the design domain: matrix cells, acceptance criteria, JSON
objects, and an attribute's validation rules and default value. Each adds to a `Checks`,
which refuses once with every problem."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from graph.kernel.errors import FieldErrorCode
from graph.types.design import AttributeValidationRulesInput
from models.design import MATRIX_SIZE, AttributeDataType
from resolvers.validation import Checks, in_range

DESCRIPTION_MAX = 5000
CRITERIA_MAX, CRITERION_MAX = 50, 1000
# Attribute rules: bounds that keep values and rules sane (and regexes cheap).
NUMBER_LIMIT = 1e15
LENGTH_LIMIT = 10_000
PATTERN_MAX = 200
CHOICES_MAX = 200
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# A coordinate of a matrix cell.
cell = in_range(0, MATRIX_SIZE - 1)


def acceptance_criteria(checks: Checks, path: Sequence[str], values: list[str]) -> list[str]:
    if len(values) > CRITERIA_MAX:
        checks.fail(path, FieldErrorCode.TOO_LONG, f"At most {CRITERIA_MAX} criteria.")
        return []
    return [checks.text([*path, str(i)], v, max_length=CRITERION_MAX) for i, v in enumerate(values)]


_NUMERIC = (AttributeDataType.INTEGER, AttributeDataType.NUMBER)
# Which rules apply to which data types.
_RULE_TYPES = {
    "min": _NUMERIC,
    "max": _NUMERIC,
    "min_length": (AttributeDataType.STRING,),
    "max_length": (AttributeDataType.STRING,),
    "pattern": (AttributeDataType.STRING,),
    "choices": (AttributeDataType.ENUM,),
}
_RULE_NAMES = {"min_length": "minLength", "max_length": "maxLength"}


def _nested_quantifier(pattern: str) -> bool:
    """Whether a repeated group repeats inside (``(a+)+``): such patterns can backtrack for
    exponential time, and a default value is matched against the pattern in the request."""
    groups: list[bool] = []  # per open group: does it contain a quantifier?
    i, in_class = 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            groups.append(False)
        elif char == ")" and groups:
            repeated = groups.pop()
            following = pattern[i + 1 : i + 2]
            if repeated and following and following in "*+{":
                return True
            if groups:
                groups[-1] = groups[-1] or repeated or (bool(following) and following in "*+{")
        elif char in "*+{" and groups:
            groups[-1] = True
        i += 1
    return False


def validation_rules(
    checks: Checks, data_type: AttributeDataType, rules: AttributeValidationRulesInput | None
) -> dict[str, Any]:
    """The rules as stored (only those given), each checked against the data type."""
    base = ["validationRules"]
    given = {
        name: value
        for name in _RULE_TYPES
        if rules is not None and (value := getattr(rules, name)) is not None
    }

    def fail(name: str, code: FieldErrorCode, message: str) -> None:
        checks.fail([*base, _RULE_NAMES.get(name, name)], code, message)

    for name in list(given):
        if data_type not in _RULE_TYPES[name]:
            kinds = " and ".join(t.name for t in _RULE_TYPES[name])
            fail(name, FieldErrorCode.INVALID, f"Applies to {kinds} attributes only.")
            del given[name]
    for name in ("min", "max"):
        if name in given:
            value = given[name]
            if not math.isfinite(value) or abs(value) > NUMBER_LIMIT:
                fail(name, FieldErrorCode.OUT_OF_RANGE, f"Must be within ±{NUMBER_LIMIT:g}.")
                del given[name]
            elif data_type is AttributeDataType.INTEGER:
                if value != int(value):
                    fail(name, FieldErrorCode.INVALID, "Must be a whole number.")
                    del given[name]
                else:
                    given[name] = int(value)
    if "min" in given and "max" in given and given["min"] > given["max"]:
        fail("max", FieldErrorCode.OUT_OF_RANGE, "Must not be less than min.")
    for name in ("min_length", "max_length"):
        if name in given and not 0 <= given[name] <= LENGTH_LIMIT:
            fail(name, FieldErrorCode.OUT_OF_RANGE, f"Must be between 0 and {LENGTH_LIMIT}.")
            del given[name]
    if given.get("min_length", 0) > given.get("max_length", LENGTH_LIMIT):
        fail("max_length", FieldErrorCode.OUT_OF_RANGE, "Must not be less than minLength.")
    if "pattern" in given:
        pattern = given["pattern"]
        if not 1 <= len(pattern) <= PATTERN_MAX:
            fail("pattern", FieldErrorCode.TOO_LONG, f"Use 1-{PATTERN_MAX} characters.")
            del given["pattern"]
        else:
            try:
                re.compile(pattern)
            except re.error:
                fail("pattern", FieldErrorCode.INVALID_FORMAT, "Not a valid regular expression.")
                del given["pattern"]
            else:
                if _nested_quantifier(pattern):
                    message = "Nested repetition such as (a+)+ is not allowed."
                    fail("pattern", FieldErrorCode.INVALID, message)
                    del given["pattern"]
    if data_type is AttributeDataType.ENUM:
        choices = given.get("choices")
        if not choices:
            fail("choices", FieldErrorCode.REQUIRED, "An enum needs at least one choice.")
        elif len(choices) > CHOICES_MAX:
            fail("choices", FieldErrorCode.TOO_LONG, f"At most {CHOICES_MAX} choices.")
        else:
            cleaned = [checks.text([*base, "choices", str(i)], c) for i, c in enumerate(choices)]
            if len(set(cleaned)) != len(cleaned):
                fail("choices", FieldErrorCode.INVALID, "Choices must be distinct.")
            given["choices"] = cleaned
    return given


def default_value(
    checks: Checks, data_type: AttributeDataType, rules: dict[str, Any], value: Any
) -> Any:
    """A default value fits its data type and rules (None: no default)."""
    if value is None:
        return None
    path = ["defaultValue"]

    def fail(code: FieldErrorCode, message: str) -> None:
        checks.fail(path, code, message)

    if data_type is AttributeDataType.STRING:
        if not isinstance(value, str):
            fail(FieldErrorCode.INVALID, "Must be a string.")
        elif len(value) < rules.get("min_length", 0):
            fail(FieldErrorCode.TOO_SHORT, f"Must be at least {rules['min_length']} characters.")
        elif len(value) > rules.get("max_length", LENGTH_LIMIT):
            limit = rules.get("max_length", LENGTH_LIMIT)
            fail(FieldErrorCode.TOO_LONG, f"Must be at most {limit} characters.")
        elif "pattern" in rules and not re.fullmatch(rules["pattern"], value):
            fail(FieldErrorCode.INVALID_FORMAT, "Must match the pattern.")
    elif data_type in _NUMERIC:
        integer = data_type is AttributeDataType.INTEGER
        kinds = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds):
            fail(FieldErrorCode.INVALID, "Must be an integer." if integer else "Must be a number.")
        elif abs(value) > NUMBER_LIMIT or not math.isfinite(value):  # ints first: no overflow
            fail(FieldErrorCode.OUT_OF_RANGE, f"Must be within ±{NUMBER_LIMIT:g}.")
        elif value < rules.get("min", -math.inf):
            fail(FieldErrorCode.OUT_OF_RANGE, f"Must be at least {rules['min']}.")
        elif value > rules.get("max", math.inf):
            fail(FieldErrorCode.OUT_OF_RANGE, f"Must be at most {rules['max']}.")
    elif data_type is AttributeDataType.BOOLEAN:
        if not isinstance(value, bool):
            fail(FieldErrorCode.INVALID, "Must be true or false.")
    elif data_type is AttributeDataType.DATE:
        if not isinstance(value, str) or not DATE_RE.fullmatch(value):
            fail(FieldErrorCode.INVALID_FORMAT, "Must be a date as YYYY-MM-DD.")
        else:
            try:
                date.fromisoformat(value)
            except ValueError:
                fail(FieldErrorCode.INVALID_FORMAT, "Must be a date as YYYY-MM-DD.")
    elif data_type is AttributeDataType.ENUM and value not in rules.get("choices", ()):
        fail(FieldErrorCode.INVALID, "Must be one of the choices.")
    return value


def rules_input(stored: dict[str, Any]) -> AttributeValidationRulesInput:
    return AttributeValidationRulesInput(**{k: v for k, v in stored.items() if k in _RULE_TYPES})
