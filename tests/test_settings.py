"""Settings fail closed: one validated model, one clear line per invalid value, production
refusing to start without what it needs, `trellis config` with secrets masked."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from graph.settings import (
    PROJECT_ROOT,
    InvalidSettings,
    Mode,
    Settings,
    env_name,
    load_settings,
)

PRODUCTION_NEEDS = {"DATABASE_URL": "postgresql://trellis:pw@db.example/trellis",
                    "TRELLIS_FILE_SECRET": "s3cret-value-for-urls"}  # fmt: skip


@pytest.fixture
def environ(monkeypatch: pytest.MonkeyPatch):
    """Set environment variables for one test (everything Trellis reads starts clean)."""
    for name in Settings.model_fields:
        monkeypatch.delenv(env_name(name), raising=False)

    def set_(**values: str) -> None:
        for key, value in values.items():
            monkeypatch.setenv(key, value)

    return set_


@pytest.mark.parametrize(
    ("spelling", "mode"),
    [
        ("development", Mode.DEVELOPMENT),
        ("Development", Mode.DEVELOPMENT),
        ("dev", Mode.DEVELOPMENT),
        ("production", Mode.PRODUCTION),
        ("Production", Mode.PRODUCTION),
        ("PROD", Mode.PRODUCTION),
        (" prod ", Mode.PRODUCTION),
    ],
)
def test_mode_accepts_its_documented_spellings_in_any_case(environ, spelling, mode):
    environ(TRELLIS_MODE=spelling, **PRODUCTION_NEEDS)
    settings = load_settings()
    assert settings.mode is mode
    assert settings.production is (mode is Mode.PRODUCTION)


@pytest.mark.parametrize("spelling", ["staging", "producton", "1", "true"])
def test_an_unknown_mode_is_refused_not_taken_for_development(environ, spelling):
    environ(TRELLIS_MODE=spelling, **PRODUCTION_NEEDS)
    with pytest.raises(InvalidSettings) as refused:
        load_settings()
    assert refused.value.lines == [
        f"TRELLIS_MODE={spelling!r} is invalid: it accepts `development` (`dev`) or "
        "`production` (`prod`), any case"
    ]


@pytest.mark.parametrize(
    ("spelling", "on"),
    [("True", True), ("true", True), ("1", True), ("yes", True), ("ON", True),
     ("False", False), ("0", False), ("no", False), ("off", False)],
)  # fmt: skip
def test_booleans_in_every_usual_spelling(environ, spelling, on):
    environ(TRELLIS_WS_LEGACY=spelling, TRELLIS_COMPILED_QUERIES=spelling)
    settings = load_settings()
    assert settings.ws_legacy_protocol is on
    assert settings.compiled_queries is on


@pytest.mark.parametrize(
    ("variable", "value", "accepts"),
    [
        ("TRELLIS_WS_LEGACY", "maybe", "true/false, 1/0, yes/no, on/off (any case)"),
        ("TRELLIS_POOL_SIZE", "ten", "an integer >= 1 and <= 1000"),
        ("TRELLIS_POOL_SIZE", "0", "an integer >= 1 and <= 1000"),
        ("TRELLIS_POOL_SIZE", "2.5", "an integer >= 1 and <= 1000"),
        ("TRELLIS_VIEWER_CACHE", "-1", "a number >= 0 and <= 3600"),
        ("TRELLIS_VIEWER_CACHE", "nan", "a number >= 0 and <= 3600"),
        ("TRELLIS_WS_INIT_TIMEOUT", "0", "a number > 0 and <= 3600"),
        ("DATABASE_URL", "mysql://x/y", "a postgresql:// URL"),
    ],
)
def test_an_invalid_value_names_the_variable_and_what_it_accepts(environ, variable, value, accepts):
    environ(**{variable: value})
    with pytest.raises(InvalidSettings) as refused:
        load_settings()
    shown = "(hidden)" if variable == "DATABASE_URL" else repr(value)
    assert refused.value.lines == [f"{variable}={shown} is invalid: it accepts {accepts}"]


def test_empty_variables_mean_the_default(environ):
    environ(TRELLIS_POOL_SIZE="", TRELLIS_MODE="", DATABASE_URL="")
    settings = load_settings()
    assert (settings.pool_size, settings.mode, settings.database_url) == (10, "development", None)


def test_lists_are_comma_separated(environ):
    environ(TRELLIS_CORS_ORIGINS="https://a.example, https://b.example,")
    assert load_settings().cors_origins == ("https://a.example", "https://b.example")


def test_production_requires_a_database_url_and_a_file_secret(environ):
    environ(TRELLIS_MODE="production")
    with pytest.raises(InvalidSettings) as refused:
        load_settings()
    assert refused.value.lines == [
        "production mode requires DATABASE_URL (the embedded PostgreSQL is for development) "
        "and TRELLIS_FILE_SECRET (signs file download URLs)"
    ]
    environ(DATABASE_URL=PRODUCTION_NEEDS["DATABASE_URL"])
    with pytest.raises(InvalidSettings, match=r"requires TRELLIS_FILE_SECRET \(signs"):
        load_settings()


def test_default_page_size_may_not_exceed_the_maximum(environ):
    environ(TRELLIS_DEFAULT_PAGE_SIZE="50", TRELLIS_MAX_PAGE_SIZE="40")
    with pytest.raises(InvalidSettings, match="must not exceed TRELLIS_MAX_PAGE_SIZE"):
        load_settings()


def _trellis(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TRELLIS_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "graph.admin.cli", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=PROJECT_ROOT,
    )


@pytest.mark.parametrize(
    "command",
    [["serve"], ["worker"], ["migrate"], ["seed"], ["schema"], ["config"],
     ["create-user", "--email", "a@b.c", "--password", "x"]],
    ids=lambda c: c[0],
)  # fmt: skip
def test_every_command_stops_with_one_line_on_an_invalid_setting(command):
    done = _trellis(*command, TRELLIS_MODE="Prodution")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "trellis: TRELLIS_MODE='Prodution' is invalid: it accepts `development` (`dev`) or "
        "`production` (`prod`), any case"
    ]


def test_serve_refuses_production_without_what_it_needs():
    done = _trellis("serve", TRELLIS_MODE="prod", DATABASE_URL="")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("trellis: production mode requires DATABASE_URL")


def test_config_prints_the_effective_settings_with_secrets_masked():
    done = _trellis(
        "config",
        TRELLIS_MODE="PROD",
        TRELLIS_POOL_SIZE="7",
        **PRODUCTION_NEEDS,
    )
    assert done.returncode == 0, done.stderr
    rows = {line.split()[0]: line.split()[1:] for line in done.stdout.splitlines()}
    assert rows["TRELLIS_MODE"] == ["production", "[environment]"]
    assert rows["TRELLIS_POOL_SIZE"] == ["7", "[environment]"]
    assert rows["TRELLIS_MAX_DEPTH"] == ["12", "[default]"]
    assert rows["DATABASE_URL"] == ["postgresql://trellis:***@db.example/trellis", "[environment]"]
    assert rows["TRELLIS_FILE_SECRET"] == ["********", "[environment]"]
    assert "pw@" not in done.stdout
    assert PRODUCTION_NEEDS["TRELLIS_FILE_SECRET"] not in done.stdout
    assert set(rows) == {env_name(name) for name in Settings.model_fields}


def test_readme_documents_every_setting():
    readme = (PROJECT_ROOT / "README.md").read_text()
    missing = [
        env_name(name) for name in Settings.model_fields if f"`{env_name(name)}`" not in readme
    ]
    assert missing == []
