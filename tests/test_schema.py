"""The committed SDL is the API's contract: it must match what the code exports."""

from pathlib import Path

from graph.kernel.ids import NODE_TYPES
from graph.schema import schema

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema.graphql"


def test_committed_schema_matches_code():
    exported = schema.as_str() + "\n"
    committed = SCHEMA_FILE.read_text()
    assert committed == exported, "schema.graphql is stale: run `make schema` and commit it"


def test_every_node_type_is_in_the_schema():
    sdl = schema.as_str()
    for name in (
        "User",
        "Organization",
        "Membership",
        "Role",
        "Permission",
        "ApiKey",
        "Item",
        "Tag",
    ):
        assert f"type {name} implements Node" in sdl


def test_each_node_type_is_the_type_name_its_model_records_in_the_change_log():
    mismatched = {
        name: cls.__model__.type_name()
        for name, cls in NODE_TYPES.items()
        if cls.__model__.type_name() != name
    }
    assert mismatched == {}
