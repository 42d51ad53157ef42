"""`trellis config`: the effective settings for display (secrets masked), and the README's
table of every setting."""

from __future__ import annotations

import math

from graph.settings import Settings, accepts, env_name, is_secret


def shown_value(settings: Settings, name: str) -> str:
    """A setting's value for display: secrets masked, a database URL without its password."""
    value = getattr(settings, name)
    if value is None:
        return ""
    if name == "database_url":
        from sqlalchemy import make_url

        try:
            return make_url(str(value)).render_as_string(hide_password=True)
        except Exception:
            return "********"
    if is_secret(name):
        return "********"
    if isinstance(value, tuple):
        return ",".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return str(value)


def describe(settings: Settings) -> list[tuple[str, str, str]]:
    """(variable, effective value, source) for every setting: `trellis config`."""
    return [
        (
            env_name(name),
            shown_value(settings, name),
            "environment" if name in settings.model_fields_set else "default",
        )
        for name in Settings.model_fields
    ]


def markdown_table() -> str:
    """The README's table of settings: variable, default, accepted values, meaning."""
    defaults = Settings.model_construct()
    rows = ["| variable | default | accepts | meaning |", "|---|---|---|---|"]
    for name, info in Settings.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        default = extra.get("shown_default") or f"`{shown_value(defaults, name)}`"
        rows.append(f"| `{env_name(name)}` | {default} | {accepts(info)} | {info.description} |")
    return "\n".join(rows)
