"""Accounts: registration, login, tokens, API keys, organizations and their members."""

from resolvers.accounts.auth import register_user
from resolvers.accounts.email_mutations import AccountEmailMutation
from resolvers.accounts.mutations import AccountsMutation
from resolvers.accounts.profiles import ProfileMutation
from resolvers.accounts.queries import AccountsQuery
from resolvers.accounts.two_factor_mutations import TwoFactorMutation

__all__ = [
    "AccountEmailMutation",
    "AccountsMutation",
    "AccountsQuery",
    "ProfileMutation",
    "TwoFactorMutation",
    "register_user",
]
