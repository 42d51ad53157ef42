"""Comparing a GraphQL response with the expected one, and saying precisely what differs.

Key order counts (a GraphQL response follows the selection order), list order counts, and
``1 != true``. Lists of nodes are compared by their ids first, so a wrong ordering or a
missing row is reported as such rather than as a cascade of field differences.
"""

from __future__ import annotations

import json
from typing import Any

MAX_DIFFERENCES = 20


def differences(expected: Any, actual: Any, *, limit: int = MAX_DIFFERENCES) -> list[str]:
    """Human-readable differences (JSONPath-like paths); empty when they are the same."""
    out: list[str] = []
    _walk(expected, actual, "$", out, limit)
    return out


def _show(value: Any, width: int = 300) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= width else text[: width - 3] + "..."


def _ids(values: list[Any]) -> list[Any] | None:
    if values and all(isinstance(v, dict) and "id" in v for v in values):
        return [v["id"] for v in values]
    return None


def _walk(expected: Any, actual: Any, path: str, out: list[str], limit: int) -> None:
    if len(out) >= limit:
        return
    if isinstance(expected, dict) and isinstance(actual, dict):
        if list(expected) != list(actual):
            missing = [k for k in expected if k not in actual]
            extra = [k for k in actual if k not in expected]
            if missing or extra:
                out.append(f"{path}: missing keys {missing}, unexpected keys {extra}")
            else:
                out.append(f"{path}: keys in order {list(actual)}, expected {list(expected)}")
        for key, value in expected.items():
            if key in actual:
                _walk(value, actual[key], f"{path}.{key}", out, limit)
    elif isinstance(expected, list) and isinstance(actual, list):
        expected_ids, actual_ids = _ids(expected), _ids(actual)
        if expected_ids is not None and actual_ids is not None and expected_ids != actual_ids:
            pairs = zip(expected_ids, actual_ids, strict=False)
            first = next(
                (i for i, (e, a) in enumerate(pairs) if e != a),
                min(len(expected_ids), len(actual_ids)),
            )
            if sorted(map(str, expected_ids)) == sorted(map(str, actual_ids)):
                what = "the same nodes in another order"
            else:
                what = f"{len(actual_ids)} nodes, expected {len(expected_ids)}"
            out.append(
                f"{path}: {what}; from [{first}] the ids are {_show(actual_ids[first:])}, "
                f"expected {_show(expected_ids[first:])}"
            )
            return
        if len(expected) != len(actual):
            out.append(f"{path}: {len(actual)} elements, expected {len(expected)}")
        for i, (e, a) in enumerate(zip(expected, actual, strict=False)):
            _walk(e, a, f"{path}[{i}]", out, limit)
    elif type(expected) is not type(actual) or expected != actual:
        out.append(f"{path}: got {_show(actual)}, expected {_show(expected)}")
