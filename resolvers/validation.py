"""Input checks shared by every op: they collect every problem, then refuse once."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

from strawberry.utils.str_converters import to_camel_case

from graph.kernel.errors import FieldErrorCode, FieldProblem, ValidationFailed
from graph.kernel.ids import InvalidId, decode_id

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
# A payment card number: 13-19 digits, perhaps grouped by spaces or dashes.
CARD_RUN_RE = re.compile(r"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)")
PASSWORD_MIN, PASSWORD_MAX = 8, 1024

T = TypeVar("T")
NumT = TypeVar("NumT", bound="float | None")


def characters(count: int) -> str:
    """ "1 character", "5 characters"."""
    return f"{count} character" if count == 1 else f"{count} characters"


class Checks:
    def __init__(self) -> None:
        self.problems: list[FieldProblem] = []

    def fail(self, path: Sequence[str], code: FieldErrorCode, message: str) -> None:
        self.problems.append(FieldProblem(tuple(path), code, message))

    def done(self) -> None:
        if self.problems:
            raise ValidationFailed(self.problems)

    def present(self, path: Sequence[str], value: T | None) -> T | None:
        """An update field that may be omitted but not set to null."""
        if value is None:
            self.fail(path, FieldErrorCode.REQUIRED, "Cannot be null.")
        return value

    def text(
        self, path: Sequence[str], value: str | None, *, min_length: int = 1, max_length: int = 200
    ) -> str:
        if value is None:
            self.fail(path, FieldErrorCode.REQUIRED, "Cannot be null.")
            return ""
        value = value.strip()
        if len(value) < min_length:
            code = FieldErrorCode.REQUIRED if not value else FieldErrorCode.TOO_SHORT
            self.fail(path, code, f"Must be at least {characters(min_length)}.")
        elif len(value) > max_length:
            self.fail(path, FieldErrorCode.TOO_LONG, f"Must be at most {characters(max_length)}.")
        return value

    def optional_text(
        self, path: Sequence[str], value: str | None, *, max_length: int
    ) -> str | None:
        """Free text that may be null; blank means null."""
        if value is None or not value.strip():
            return None
        return self.text(path, value, max_length=max_length)

    def in_range(
        self, path: Sequence[str], value: NumT, low: float, high: float | None = None
    ) -> NumT:
        """A number within [low, high] (no upper bound without ``high``); null passes."""
        number = cast("float | None", value)
        if number is not None and (number < low or (high is not None and number > high)):
            message = (
                f"Must be at least {low:g}."
                if high is None
                else f"Must be between {low:g} and {high:g}."
            )
            self.fail(path, FieldErrorCode.OUT_OF_RANGE, message)
        return value

    def email(self, path: Sequence[str], value: str) -> str:
        value = value.strip()
        if len(value) > 320 or not EMAIL_RE.fullmatch(value):
            self.fail(path, FieldErrorCode.INVALID_FORMAT, "Not a valid email address.")
        return value.lower()

    def password(self, path: Sequence[str], value: str) -> str:
        if len(value) < PASSWORD_MIN:
            self.fail(path, FieldErrorCode.TOO_SHORT, f"Use at least {PASSWORD_MIN} characters.")
        elif len(value) > PASSWORD_MAX:
            self.fail(path, FieldErrorCode.TOO_LONG, f"Use at most {PASSWORD_MAX} characters.")
        return value

    def slug(self, path: Sequence[str], value: str | None) -> str:
        value = (value or "").strip()
        if not 1 <= len(value) <= 64 or not SLUG_RE.fullmatch(value):
            self.fail(
                path,
                FieldErrorCode.INVALID_FORMAT,
                "Use 1-64 lowercase letters, digits and dashes, starting with a letter or digit.",
            )
        return value

    def color(self, path: Sequence[str], value: str | None) -> str | None:
        if value is not None and not COLOR_RE.fullmatch(value):
            self.fail(path, FieldErrorCode.INVALID_FORMAT, "Use #rrggbb.")
        return value.lower() if value else value

    def no_card_number(self, path: Sequence[str], value: T) -> T:
        """Refuse text holding a payment card number (13-19 digits passing the Luhn check,
        spaces and dashes allowed between them): Trellis never stores one."""
        if isinstance(value, str) and has_card_number(value):
            self.fail(
                path,
                FieldErrorCode.INVALID,
                "Looks like a card number: store only the card's brand and last four digits.",
            )
        return value

    def json_object(self, path: Sequence[str], value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(path, FieldErrorCode.INVALID, "Must be a JSON object.")
            return {}
        return value

    def id(self, path: Sequence[str], value: str, type_name: str) -> uuid.UUID | None:
        try:
            return decode_id(value, type_name)
        except InvalidId as exc:
            self.fail(path, FieldErrorCode.INVALID_ID, str(exc))
            return None

    def ids(self, path: Sequence[str], values: Sequence[str], type_name: str) -> list[uuid.UUID]:
        found = [self.id([*path, str(i)], v, type_name) for i, v in enumerate(values)]
        return [pk for pk in found if pk is not None]


def luhn(digits: str) -> bool:
    """The Luhn checksum every payment card number passes."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = int(char)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def has_card_number(text: str) -> bool:
    for match in CARD_RUN_RE.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if luhn(digits):
            return True
    return False


# ---------------------------------------------------------------------------------------------
# One table of field checks per entity, for create and update alike

Check = Callable[[Checks, list[str], Any], Any]


def text(*, max_length: int = 200, min_length: int = 1) -> Check:
    """Required text, stripped, within the lengths."""
    return lambda c, path, value: c.text(path, value, min_length=min_length, max_length=max_length)


def optional_text(*, max_length: int) -> Check:
    """Free text that may be null; blank means null."""
    return lambda c, path, value: c.optional_text(path, value, max_length=max_length)


def in_range(low: float, high: float | None = None) -> Check:
    """A number within [low, high]; null passes (combine with `required` to refuse it)."""
    return lambda c, path, value: c.in_range(path, value, low, high)


def required(check: Check | None = None) -> Check:
    """Not null (an update may omit the field, not set it to null), then ``check``."""

    def run(c: Checks, path: list[str], value: Any) -> Any:
        value = c.present(path, value)
        return value if check is None or value is None else check(c, path, value)

    return run


def json_object() -> Check:
    """A JSON object."""
    return lambda c, path, value: c.json_object(path, value)


def slug() -> Check:
    """1-64 lowercase letters, digits and dashes."""
    return lambda c, path, value: c.slug(path, value)


def color() -> Check:
    """`#rrggbb` or null."""
    return lambda c, path, value: c.color(path, value)


def no_card_number(check: Check) -> Check:
    """``check``, and never a payment card number in the text."""

    def run(c: Checks, path: list[str], value: Any) -> Any:
        return check(c, path, c.no_card_number(path, value))

    return run


def as_is() -> Check:
    """Any value the input type allows, null included."""
    return lambda c, path, value: value


class FieldChecks:
    """The checks of an entity's writable fields, by Python name, in the order errors are
    reported: create checks every field, update only the fields given (``Maybe``), so the two
    cannot drift. A field's error path is its name camel-cased, as the input spells it."""

    def __init__(self, **checks: Check) -> None:
        self.checks = checks
        self.paths = {name: to_camel_case(name) for name in checks}

    def create(self, checks: Checks, data: Any, **given: Any) -> dict[str, Any]:
        """Every field of ``data`` (``given`` instead where it names one: an input's default
        applied by the op)."""
        return {
            name: check(checks, [self.paths[name]], given.get(name, getattr(data, name)))
            for name, check in self.checks.items()
        }

    def update(self, checks: Checks, data: Any) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, check in self.checks.items():
            given = getattr(data, name, None)
            if given is not None:  # Some(value): given, perhaps as null
                values[name] = check(checks, [self.paths[name]], given.value)
        return values
