"""The demo data: a realistic design project in the demo organization, readable through the
API, whose attribute defaults fit their types and rules."""

from __future__ import annotations

from sqlalchemy import select

import models
from graph.admin.seed import seed
from graph.types.design import AttributeValidationRulesInput
from models.design import AttributeDataType
from resolvers.design import default_value, validation_rules
from resolvers.validation import Checks

DEMO = """
query {
  projects(first: 1) {
    nodes {
      name status
      members(first: 10) { nodes { role user { email } } }
      objects(first: 20) {
        nodes {
          name positionX positionY
          callsToAction(first: 1) { totalCount }
          attributes(first: 10) {
            nodes {
              dataType defaultValue
              validationRules { min max minLength maxLength pattern choices }
            }
          }
        }
      }
      relationships(first: 30) { totalCount nodes { source { name } target { name } } }
    }
  }
}
"""


async def test_demo_design_project(gql, db, factory):
    # given
    async with db.sessions() as session, session.begin():
        assert await seed(session)
    async with db.sessions() as session:
        viewer = await session.scalar(
            select(models.User).where(models.User.email == "viewer@demo.trellis.dev")
        )
    assert viewer is not None
    # when
    body = await gql(DEMO, token=await factory.token(viewer))
    # then
    (project,) = body["data"]["projects"]["nodes"]
    assert (project["name"], project["status"]) == ("Online bookstore", "ACTIVE")
    assert {m["role"] for m in project["members"]["nodes"]} == {"OWNER", "EDITOR", "VIEWER"}
    objects = project["objects"]["nodes"]
    assert len(objects) >= 8
    assert len({(o["positionX"], o["positionY"]) for o in objects}) == len(objects)
    assert project["relationships"]["totalCount"] >= len(objects)
    assert sum(o["callsToAction"]["totalCount"] for o in objects) >= 5
    attributes = [a for o in objects for a in o["attributes"]["nodes"]]
    assert len(attributes) >= 10
    for attribute in attributes:
        checks = Checks()
        data_type = AttributeDataType[attribute["dataType"]]
        rules = validation_rules(
            checks, data_type, AttributeValidationRulesInput(**_snake(attribute["validationRules"]))
        )
        default_value(checks, data_type, rules, attribute["defaultValue"])
        assert checks.problems == [], attribute


def _snake(rules: dict) -> dict:
    names = {"minLength": "min_length", "maxLength": "max_length"}
    return {names.get(k, k): v for k, v in rules.items()}
