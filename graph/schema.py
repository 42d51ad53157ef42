"""The schema, assembled from each domain's Query and Mutation by explicit inheritance."""

from __future__ import annotations

import logging
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig

from graph.connections import install_fast_paths
from graph.relay import NODE_TYPES
from resolvers.accounts import AccountsMutation, AccountsQuery
from resolvers.catalog import CatalogMutation, CatalogQuery
from resolvers.node import NodeQuery

log = logging.getLogger("trellis.errors")


@strawberry.type(description="Read the workspace graph.")
class Query(NodeQuery, AccountsQuery, CatalogQuery):
    pass


@strawberry.type(
    description="Change the workspace graph. Each mutation takes one input and "
    "returns a payload: the success type or a typed error."
)
class Mutation(AccountsMutation, CatalogMutation):
    pass


def _is_unexpected(error: GraphQLError) -> bool:
    """Mask errors that come from exceptions in our code; keep client mistakes readable
    (syntax, validation, coded argument errors)."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False
    log.error("unexpected error at %s", error.path, exc_info=original)
    return True


def build_schema(**options: Any) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        types=list(NODE_TYPES.values()),
        config=StrawberryConfig(auto_camel_case=True),
        extensions=[
            lambda: ParserCache(maxsize=1024),
            lambda: ValidationCache(maxsize=1024),
            lambda: MaskErrors(should_mask_error=_is_unexpected, error_message="Internal error."),
        ],
        **options,
    )


schema = build_schema()
install_fast_paths(schema)
