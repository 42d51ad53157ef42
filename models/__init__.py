"""SQLAlchemy models, one module per domain. Importing this package registers every table."""

from models import (  # noqa: F401  (registers their tables)
    ai,
    billing,
    design,
    exports,
    files,
    jobs,
    mail,
    realty,
    two_factor,
)
from models.accounts import (
    APIKey,
    AuthSession,
    Membership,
    Organization,
    Permission,
    Role,
    User,
    role_permissions,
)
from models.base import Base
from models.catalog import Item, Tag, item_tags
from models.history import ChangeAction, ChangeLog
from models.viewer import Viewer

__all__ = [
    "APIKey",
    "AuthSession",
    "Base",
    "ChangeAction",
    "ChangeLog",
    "Item",
    "Membership",
    "Organization",
    "Permission",
    "Role",
    "Tag",
    "User",
    "Viewer",
    "item_tags",
    "role_permissions",
]
