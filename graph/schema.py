"""The schema, assembled from each domain's Query and Mutation by explicit inheritance."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    ParserCache,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext
from strawberry.types.execution import PreExecutionError

import graph.patches  # noqa: F401  (library fixes, applied at import)
from graph.compiled import CompiledQueries, QueryCompiler
from graph.context import request_id
from graph.kernel.client_errors import code_request_error, refuse_unstorable_input
from graph.kernel.fields import compose, install_fast_paths
from graph.kernel.ids import NODE_TYPES
from graph.kernel.limits import CostLimit, CostModel, HideSuggestions, TokenLimit, limit_rules
from graph.kernel.scalars import describe_scalars
from graph.observe.extension import ObserveOperations
from graph.settings import Settings, get_settings
from graph.types.accounts import Organization, User
from graph.types.accounts.invitations import InvitationsOrganizationFields
from graph.types.accounts.profiles import ProfileUserFields
from graph.types.accounts.two_factor import TwoFactorUserFields
from graph.types.ai import AIItemFields, AIOrganizationFields
from graph.types.billing import BillingOrganizationFields
from graph.types.catalog import CatalogOrganizationFields, CatalogUserFields, Item
from graph.types.design import DesignOrganizationFields
from graph.types.files import FilesItemFields, FilesOrganizationFields
from graph.types.jobs import JobsOrganizationFields
from graph.types.realty import RealtyOrganizationFields
from resolvers.accounts import (
    AccountEmailMutation,
    AccountsMutation,
    AccountsQuery,
    ProfileMutation,
    TwoFactorMutation,
)
from resolvers.ai import AIMutation, AIQuery
from resolvers.archive import ArchiveMutation
from resolvers.billing import BillingMutation, BillingQuery
from resolvers.catalog import CatalogMutation, CatalogQuery
from resolvers.design import DesignMutation, DesignQuery
from resolvers.exports import ExportsMutation, ExportsQuery
from resolvers.files import FilesMutation, FilesQuery
from resolvers.history import HistoryQuery, HistorySubscription
from resolvers.jobs import JobsMutation, JobsQuery
from resolvers.node import NodeQuery
from resolvers.presence import PresenceMutation, PresenceSubscription
from resolvers.realty import RealtyMutation, RealtyQuery

log = logging.getLogger("trellis.errors")


# Each domain's fields of the shared types, in the order the SDL lists them.
compose(User, ProfileUserFields, TwoFactorUserFields, CatalogUserFields)
compose(
    Organization,
    InvitationsOrganizationFields,
    CatalogOrganizationFields,
    RealtyOrganizationFields,
    DesignOrganizationFields,
    FilesOrganizationFields,
    JobsOrganizationFields,
    BillingOrganizationFields,
    AIOrganizationFields,
)
compose(Item, FilesItemFields, AIItemFields)


@strawberry.type(description="Read the workspace graph.")
class Query(
    NodeQuery,
    AccountsQuery,
    CatalogQuery,
    DesignQuery,
    RealtyQuery,
    FilesQuery,
    JobsQuery,
    ExportsQuery,
    HistoryQuery,
    BillingQuery,
    AIQuery,
):
    pass


@strawberry.type(
    description="Change the workspace graph. Each mutation takes one input and "
    "returns a payload: the success type or a typed error."
)
class Mutation(
    AccountsMutation,
    AccountEmailMutation,
    ProfileMutation,
    TwoFactorMutation,
    CatalogMutation,
    DesignMutation,
    RealtyMutation,
    FilesMutation,
    JobsMutation,
    ExportsMutation,
    PresenceMutation,
    ArchiveMutation,
    BillingMutation,
    AIMutation,
):
    pass


@strawberry.type(
    description="Live changes over WebSocket (graphql-transport-ws on /graphql; "
    "authenticate in the connection_init payload)."
)
class Subscription(HistorySubscription, PresenceSubscription):
    pass


def _is_unexpected(error: GraphQLError) -> bool:
    """Mask errors that come from exceptions in our code; keep client mistakes readable
    (syntax, validation, coded argument errors)."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return False
    log.error(
        "unexpected error at %s (request %s)", error.path, request_id.get(), exc_info=original
    )
    return True


class MaskUnexpectedErrors(MaskErrors):
    """Strawberry's MaskErrors, with the request id in the masked error's extensions so a
    report can be matched with the server's log."""

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL_ERROR", "requestId": request_id.get()}
        return masked


class TrellisSchema(strawberry.Schema):
    """The schema, the compiler that answers its compilable queries (None when compiled
    queries are off), and the cost model its limit applies."""

    compiler: QueryCompiler | None = None
    cost_model: CostModel | None = None

    async def stream(self, *args: Any, **kwargs: Any) -> Any:
        """Strawberry's stream (WebSocket operations), where a document refused while it is
        parsed (a syntax error, the token limit) is the operation's first result, an error
        the client receives, rather than an exception that ends it silently."""
        return _parse_errors_as_results(await super().stream(*args, **kwargs))

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Code every request error (graph/kernel/client_errors.py) and log client mistakes
        in one line at INFO: only the server's own failures are errors, logged with their
        traceback where they are masked (`_is_unexpected`)."""
        for error in errors:
            code = code_request_error(error)
            original = error.original_error
            if original is None or isinstance(original, GraphQLError) or code is not None:
                log.info(
                    "client error (%s) at %s: %s (request %s)",
                    code or "-",
                    error.path,
                    error.message.splitlines()[0] if error.message else "",
                    request_id.get(),
                )


async def _parse_errors_as_results(source: AsyncGenerator[Any, None]) -> AsyncGenerator[Any, None]:
    async with aclosing(source):
        try:
            async for result in source:
                yield result
        except GraphQLError as error:  # raised by a parse hook (ParserCache, TokenLimit)
            code_request_error(error)
            yield PreExecutionError(data=None, errors=[error])


def build_schema(settings: Settings | None = None, **options: Any) -> TrellisSchema:
    settings = settings or get_settings()
    cost_model = CostModel(settings.default_page_size, settings.max_page_size)
    rules = limit_rules(settings)
    extensions: list[Any] = [
        lambda: TokenLimit(settings.max_tokens),
        lambda: ParserCache(maxsize=1024),
        lambda: AddValidationRules(rules),
    ]
    if settings.production:
        extensions.append(DisableIntrospection)
    extensions += [
        lambda: ValidationCache(maxsize=1024),
        lambda: CostLimit(cost_model, settings.max_cost),
        ObserveOperations,  # after the limits, before the compiled plans
        lambda: MaskUnexpectedErrors(
            should_mask_error=_is_unexpected, error_message="Internal error."
        ),
    ]
    if settings.production:
        extensions.append(HideSuggestions)
    compiler = QueryCompiler(
        compile_after=settings.compile_after, max_page_size=settings.max_page_size
    )
    if settings.compiled_queries:  # last: after the limits, which may answer first
        extensions.append(lambda: CompiledQueries(compiler))
    built = TrellisSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=list(NODE_TYPES.values()),
        config=StrawberryConfig(
            auto_camel_case=True, disable_field_suggestions=settings.production
        ),
        extensions=extensions,
        **options,
    )
    describe_scalars(built._schema)
    refuse_unstorable_input(built._schema)
    compiler.schema = built
    built.cost_model = cost_model
    if settings.compiled_queries:
        built.compiler = compiler
    return built


def schema_for(settings: Settings) -> TrellisSchema:
    """The module's schema when `settings` match the environment's, else a new one."""
    if settings == get_settings():
        return schema
    built = build_schema(settings)
    install_fast_paths(built)
    return built


schema = build_schema()
install_fast_paths(schema)
