"""Accounts: registration, login, tokens, API keys, organizations and their members."""

from resolvers.accounts.auth import register_user
from resolvers.accounts.email_mutations import AccountEmailMutation
from resolvers.accounts.mutations import AccountsMutation
from resolvers.accounts.profiles import ProfileMutation
from resolvers.accounts.queries import AccountsQuery

__all__ = [
    "AccountEmailMutation",
    "AccountsMutation",
    "AccountsQuery",
    "ProfileMutation",
    "register_user",
]
