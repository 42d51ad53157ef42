"""The README's archive and billing examples run against the demo data without errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

import models
from graph.admin.seed import seed
from graph.settings import PROJECT_ROOT
from graph.storage import LocalStorage
from tests.factories import gid

SECTIONS = ("## Archive and restore", "## Plans and billing")
BLOCK = re.compile(r"```graphql\n(.*?)```", re.DOTALL)


def _blocks() -> list[str]:
    readme = (PROJECT_ROOT / "README.md").read_text()
    found = []
    for heading in SECTIONS:
        section = readme.split(heading, 1)[1].split("\n## ", 1)[0]
        found += BLOCK.findall(section)
    return found


@pytest.mark.parametrize("block", _blocks())
async def test_readme_example_runs_on_the_demo_data(gql, db, factory, tmp_path: Path, block):
    # given
    async with db.sessions() as session, session.begin():
        assert await seed(session, LocalStorage(tmp_path / "files"))
    async with db.sessions() as session:
        owner = await session.scalar(
            select(models.User).where(models.User.email == "owner@demo.trellis.dev")
        )
        org = await session.scalar(select(models.Organization))
        item = await session.scalar(select(models.Item).where(models.Item.archived_at.is_(None)))
    assert owner is not None
    assert org is not None
    assert item is not None
    variables = {"org": gid("Organization", org.id), "item": gid("Item", item.id)}
    used = {k: v for k, v in variables.items() if f"${k}" in block}
    # when
    body = await gql(block, used, token=await factory.token(owner))
    # then
    assert "errors" not in body, body
    for value in body["data"].values():
        if isinstance(value, dict) and "__typename" in value:
            assert not value["__typename"].endswith("Error"), value
