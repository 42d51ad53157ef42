"""The AI catalog's tests share the catalog's workspace (an organization with a member of
each built-in role)."""

from tests.catalog.conftest import sql, workspace

__all__ = ["sql", "workspace"]
