"""Grouping keys, written once for aggregates and facets: the SQL key of each `by` entry
(a column, or a timestamp truncated to a calendar unit in an IANA time zone), the converter
of its values to what the API returns, and the checks with their coded errors."""

from __future__ import annotations

import enum
import zoneinfo
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Boolean, ColumnElement, Date, DateTime, Integer, Numeric, String, func
from sqlalchemy import Enum as SAEnum
from sqlalchemy import literal_column as sql_text

from graph.kernel.ids import user_error
from loaders.paging import Column

MAX_GROUP_KEYS = 4


def python_type(column: Column) -> Any:
    """The Python (and so GraphQL) type of a column's values."""
    column_type = column.type
    if isinstance(column_type, SAEnum) and column_type.enum_class is not None:
        return column_type.enum_class
    if isinstance(column_type, Integer):
        return int
    if isinstance(column_type, Numeric):
        return Decimal if column_type.asdecimal else float
    if isinstance(column_type, DateTime):
        return datetime
    if isinstance(column_type, Date):
        return date
    if isinstance(column_type, Boolean):
        return bool
    if isinstance(column_type, String):
        return str
    raise TypeError(f"cannot aggregate or group by {column!r}")


def camel(name: str) -> str:
    """A snake_case name as the SDL spells it."""
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def converter(column: Column) -> Any:
    """What turns a column's driver values into the API's (enums), or None."""
    found = python_type(column)
    if isinstance(found, type) and issubclass(found, enum.Enum):
        enum_class = found

        def to_enum(value: Any) -> Any:
            return enum_class(value.decode() if isinstance(value, bytes) else value)

        return to_enum
    return None


def keys_key(by: list[Any]) -> list[tuple[str, str | None, str]]:
    return [(b.field.value, b.truncate.value if b.truncate else None, b.time_zone) for b in by]


def group_keys(spec: Any, by: list[Any]) -> tuple[list[ColumnElement[Any]], list[Any]]:
    """The SQL keys of a `by` list and, per key, (key field, converter of its values)."""
    if not 1 <= len(by) <= MAX_GROUP_KEYS:
        raise user_error(f"Group by 1 to {MAX_GROUP_KEYS} keys.", "BAD_GROUP_BY")
    names = [b.field.value for b in by]
    if len(set(names)) != len(names):
        raise user_error("A field is grouped by twice.", "BAD_GROUP_BY")
    keys: list[ColumnElement[Any]] = []
    converters: list[Any] = []
    for b in by:
        name = b.field.value
        if name in spec.groups and b.truncate is None:
            column = spec.groups[name]
            keys.append(cast(ColumnElement[Any], column))
            converters.append((name, converter(column)))
            continue
        if name not in spec.dates or b.truncate is None:
            raise user_error(
                f"Grouping by `{camel(name)}` needs `truncate` (DAY, WEEK, MONTH or YEAR).",
                "BAD_GROUP_BY",
            )
        zone = time_zone(b.time_zone)
        keys.append(
            func.date_trunc(
                sql_text(f"'{b.truncate.value}'"), spec.dates[name], sql_text(f"'{zone.key}'")
            )
        )
        converters.append((name, lambda value, zone=zone: value.astimezone(zone)))
    return keys, converters


def time_zone(name: str) -> zoneinfo.ZoneInfo:
    """An IANA time zone; a coded error for any other name (it is written into the SQL
    only once known, and its characters are those of zone names)."""
    try:
        zone = zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise user_error(f"Unknown time zone {name!r}.", "INVALID_TIME_ZONE") from exc
    if not all(c.isalnum() or c in "/_-+" for c in zone.key):
        raise user_error(f"Unknown time zone {name!r}.", "INVALID_TIME_ZONE")
    return zone
