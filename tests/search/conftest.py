"""The search and aggregate tests start from a workspace like the catalog's."""

from tests.catalog.conftest import sql, workspace  # noqa: F401  (fixtures)
