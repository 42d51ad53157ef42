"""What a frontend developer meets first: every answer of /graphql is GraphQL-shaped JSON
with an `extensions.code`, anonymous callers of mutations are told to sign in, and hostile
input is a client error on every path, never a server error."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
)

from graph.schema import schema
from tests.factories import Factory, Member, gid

ITEMS = "query Items($title: String) { items(filter: {title: {contains: $title}}) { totalCount } }"
PUBLIC_MUTATIONS = {
    *("userRegister", "authLogin", "authLoginVerify", "authRefresh"),
    # an emailed token is the credential
    *("invitationAccept", "passwordResetRequest", "passwordReset", "emailVerify"),
}
SCALAR_VALUES: dict[str, Any] = {
    "String": "x",
    "ID": "x",
    "Int": 1,
    "Float": 1.0,
    "Boolean": True,
    "DateTime": "2030-01-01T00:00:00Z",
    "Date": "2030-01-01",
    "Decimal": "1",
    "JSON": {},
    "Upload": None,
}


def test_every_scalar_of_the_schema_has_a_sample_value():
    scalars = {n for n, t in schema._schema.type_map.items() if isinstance(t, GraphQLScalarType)}
    assert scalars - {n for n in scalars if n.startswith("__")} == set(SCALAR_VALUES)


@pytest.fixture
async def member(factory: Factory) -> Member:
    org = await factory.organization(slug="frontend")
    return await factory.member(org, role="OWNER", email="front@example.com")


def codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body["errors"]]


def request_error(
    response: httpx.Response, status: int, code: str, *, graphql_response: bool = False
) -> dict[str, Any]:
    """A GraphQL-shaped refusal: JSON, one coded error, no `data`, the cost header."""
    assert response.status_code == status, response.text
    media = "application/graphql-response+json" if graphql_response else "application/json"
    assert response.headers["content-type"].startswith(media), response.headers
    assert response.headers["x-trellis-cost"].startswith("requested="), response.headers
    body: dict[str, Any] = response.json()
    assert "data" not in body, body
    assert codes(body) == [code], body
    assert body["errors"][0]["message"]
    return body


# ---------------------------------------------------------------------------------------------
# Every answer is GraphQL-shaped JSON


@pytest.mark.parametrize("graphql_response", [False, True], ids=["json", "graphql-response"])
@pytest.mark.parametrize(
    ("method", "kwargs", "status", "code"),
    [
        pytest.param(
            "POST",
            {"json": {"query": "query A { me { id } }", "operationName": "B"}},
            400,
            "OPERATION_RESOLUTION_FAILURE",
            id="unknown-operation-name",
        ),
        pytest.param(
            "GET",
            {"params": {"query": "mutation { authLogout(input: {}) { __typename } }"}},
            405,
            "METHOD_NOT_ALLOWED",
            id="mutation-over-get",
        ),
        pytest.param(
            "POST",
            {
                "content": b'{"query": "{ me { id } ',
                "headers": {"content-type": "application/json"},
            },
            400,
            "BAD_REQUEST",
            id="unparseable-json",
        ),
        pytest.param(
            "POST",
            {
                "content": b'{"query": "{ me { id } }\xff"}',
                "headers": {"content-type": "application/json"},
            },
            400,
            "BAD_REQUEST",
            id="not-utf-8",
        ),
        pytest.param("POST", {"json": {}}, 400, "BAD_REQUEST", id="no-query"),
        pytest.param(
            "POST",
            {"json": {"query": "subscription { changes { cursor } }"}},
            400,
            "WEBSOCKET_REQUIRED",
            id="subscription-over-http",
        ),
        pytest.param(
            "POST",
            {"content": b'{"query": "{ me { id } }"}', "headers": {"content-type": "text/xml"}},
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            id="unsupported-content-type",
        ),
        pytest.param(
            "PUT", {"json": {"query": "{ me { id } }"}}, 405, "METHOD_NOT_ALLOWED", id="put"
        ),
        pytest.param(
            "POST",
            {"json": {"query": "{ me { id } }"}, "headers": {"Authorization": "Token abc"}},
            401,
            "UNAUTHENTICATED",
            id="malformed-authorization",
        ),
    ],
)
async def test_every_refusal_is_graphql_shaped_json(
    client, method, kwargs, status, code, graphql_response
):
    # given
    kwargs = dict(kwargs)
    headers = dict(kwargs.pop("headers", {}))
    headers["Accept"] = (
        "application/graphql-response+json, application/json;q=0.9"
        if graphql_response
        else "application/json"
    )
    # when
    response = await client.request(method, "/graphql", headers=headers, **kwargs)
    # then
    body = request_error(response, status, code, graphql_response=graphql_response)
    if code == "WEBSOCKET_REQUIRED":
        assert "graphql-transport-ws" in body["errors"][0]["message"]
    if status == 405:
        assert response.headers["allow"] in {"POST", "GET, POST"}


@pytest.mark.parametrize(
    ("query", "code"),
    [
        pytest.param("{ items {", "GRAPHQL_PARSE_FAILED", id="syntax"),
        pytest.param("{ nope }", "GRAPHQL_VALIDATION_FAILED", id="unknown-field"),
        pytest.param(
            '{ items(first: "x") { totalCount } }', "GRAPHQL_VALIDATION_FAILED", id="type"
        ),
        pytest.param(
            "query($n: Int) { items(first: $n) { totalCount } }",
            "BAD_USER_INPUT",
            id="bad-variable",
        ),
    ],
)
async def test_request_errors_have_codes_and_no_data(client, query, code):
    # when: a plain application/json client
    variables = {"n": "ten"} if "$n" in query else {}
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    # then: 200 (legacy JSON clients), a code Apollo's clients know, and no `data`: execution
    # never started
    body = request_error(response, 200, code)
    assert response.headers["x-trellis-cost"].endswith(f"limit={schema_limit()}")
    assert body["errors"][0]["message"]


def schema_limit() -> int:
    from graph.settings import get_settings

    return get_settings().max_cost


# ---------------------------------------------------------------------------------------------
# Anonymous callers of mutations


def _value(type_: GraphQLInputType) -> Any:
    """A value of ``type_`` that passes coercion (the mutation must get to run)."""
    if isinstance(type_, GraphQLNonNull):
        return _value(type_.of_type)
    if isinstance(type_, GraphQLList):
        return []
    if isinstance(type_, GraphQLScalarType):
        return SCALAR_VALUES[type_.name]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    assert isinstance(type_, GraphQLInputObjectType)
    return {
        name: _value(field.type)
        for name, field in type_.fields.items()
        if isinstance(field.type, GraphQLNonNull)
    }


MUTATIONS = sorted(schema._schema.mutation_type.fields)  # type: ignore[union-attr]


@pytest.mark.parametrize("name", [m for m in MUTATIONS if m not in PUBLIC_MUTATIONS])
async def test_an_anonymous_caller_of_any_mutation_is_told_to_sign_in(client, name):
    # given: a well-formed call without any credential (an upload as a multipart request)
    field = schema._schema.mutation_type.fields[name]  # type: ignore[union-attr]
    if "input" in field.args:
        input_type = field.args["input"].type
        document = f"mutation($input: {input_type}) {{ {name}(input: $input) {{ __typename }} }}"
        operation = {"query": document, "variables": {"input": _value(input_type)}}
    else:  # nothing to give (twoFactorEnroll)
        operation = {"query": f"mutation {{ {name} {{ __typename }} }}"}
    # when
    if name == "fileUpload":
        response = await client.post(
            "/graphql",
            data={
                "operations": json.dumps(operation),
                "map": json.dumps({"0": ["variables.input.file"]}),
            },
            files={"0": ("a.txt", b"hello", "text/plain")},
            headers={"X-Trellis-CSRF": "1"},
        )
    else:
        response = await client.post("/graphql", json=operation)
    # then: the same authentication error for every one of them
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert body["errors"] == [
        {
            "message": f"Sign in first: `{name}` needs an account. Send the header "
            "`Authorization: Bearer <access token or API key>` (authLogin returns a token).",
            "locations": [{"line": 1, "column": body["errors"][0]["locations"][0]["column"]}],
            "path": [name],
            "extensions": {"code": "UNAUTHENTICATED"},
        }
    ]


async def test_public_mutations_stay_open_to_anonymous_callers(client, member):
    login = (
        'mutation { authLogin(input: {email: "front@example.com", password: "nope"}) '
        "{ __typename ... on Error { code } } }"
    )
    response = await client.post("/graphql", json={"query": login})
    assert response.json() == {
        "data": {"authLogin": {"__typename": "AuthenticationError", "code": "UNAUTHENTICATED"}}
    }


# ---------------------------------------------------------------------------------------------
# Text that is not Unicode (a lone surrogate) is a client error on every input path


LONE_SURROGATE = "\ud800"


def _raw(body: str) -> bytes:
    """A JSON body with the lone surrogate escaped as JSON allows (`\\ud800`)."""
    return body.encode("utf-8")


@pytest.mark.parametrize("read_path", ["compiled", "resolvers"])
async def test_a_lone_surrogate_in_a_string_variable_names_the_variable(
    read_path_app, member, read_path
):
    # given: the document answered once (and compiled, on the compiled path)
    transport = httpx.ASGITransport(app=read_path_app, client=("127.0.0.1", 50000))
    headers = {"Authorization": f"Bearer {member.token}", "content-type": "application/json"}
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        for _ in range(3):
            ok = await client.post(
                "/graphql", json={"query": ITEMS, "variables": {"title": "a"}}, headers=headers
            )
            assert ok.json() == {"data": {"items": {"totalCount": 0}}}
        # when
        response = await client.post(
            "/graphql",
            content=_raw(
                '{"query": "QUERY", "variables": {"title": "a\\ud800"}}'.replace("QUERY", ITEMS)
            ),
            headers=headers,
        )
    # then
    body = request_error(response, 200, "BAD_USER_INPUT")
    message = body["errors"][0]["message"]
    assert message.startswith("Variable '$title' has invalid value")
    assert "lone UTF-16 surrogate" in message


async def test_a_lone_surrogate_deep_in_a_mutation_input_names_its_path(client, factory):
    # given
    org = await factory.organization(slug="deep")
    member = await factory.member(org, role="OWNER")
    document = "mutation($input: ItemCreateInput!) { itemCreate(input: $input) { __typename } }"
    raw = (
        '{"query": "DOC", "variables": {"input": {"organization": "ORG", "title": "ok", '
        '"metaData": {"nested": ["\\udfff"]}}}}'
    )
    # when
    response = await client.post(
        "/graphql",
        content=_raw(raw.replace("DOC", document).replace("ORG", gid("Organization", org.id))),
        headers={"Authorization": f"Bearer {member.token}", "content-type": "application/json"},
    )
    # then: refused before the mutation ran, naming where
    body = request_error(response, 200, "BAD_USER_INPUT")
    assert "Variable '$input' has invalid value at .metaData" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    ("bad", "reason"), [(LONE_SURROGATE, "lone UTF-16 surrogate"), ("\x00", "NUL")]
)
@pytest.mark.parametrize(
    ("scalar", "value"),
    [(name, value) for name, value in SCALAR_VALUES.items() if isinstance(value, str)],
)
def test_every_scalar_refuses_text_it_could_not_store(scalar, value, bad, reason):
    # given
    type_ = schema._schema.type_map[scalar]
    assert isinstance(type_, GraphQLScalarType)
    # when / then
    with pytest.raises(GraphQLError, match=reason):
        type_.coerce_input_value(value + bad)


@pytest.mark.parametrize(
    ("bad", "reason"), [(LONE_SURROGATE, "lone UTF-16 surrogate"), ("\x00", "NUL")]
)
def test_json_refuses_text_it_could_not_store_at_any_depth(bad, reason):
    type_ = schema._schema.type_map["JSON"]
    assert isinstance(type_, GraphQLScalarType)
    with pytest.raises(GraphQLError, match=f"Text at a\\[1\\].b .*{reason}"):
        type_.coerce_input_value({"a": ["fine", {"b": bad}]})


@pytest.mark.parametrize("read_path", ["compiled", "resolvers"])
async def test_a_nul_in_text_is_a_client_error_on_every_input_path(
    read_path_app, member, read_path
):
    # given
    transport = httpx.ASGITransport(app=read_path_app, client=("127.0.0.1", 50000))
    headers = {"Authorization": f"Bearer {member.token}"}
    literal = '{ items(filter: {title: {contains: "a\\u0000b"}}) { totalCount } }'
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        for _ in range(3):
            await client.post(
                "/graphql", json={"query": ITEMS, "variables": {"title": "a"}}, headers=headers
            )
        # when: in a variable, and in a literal
        variable = await client.post(
            "/graphql", json={"query": ITEMS, "variables": {"title": "a\x00b"}}, headers=headers
        )
        in_document = await client.post("/graphql", json={"query": literal}, headers=headers)
    # then: never an internal error
    body = request_error(variable, 200, "BAD_USER_INPUT")
    assert body["errors"][0]["message"] == (
        "Variable '$title' has invalid value: Text holds a NUL character (\\u0000), which "
        "text cannot store."
    )
    body = request_error(in_document, 200, "BAD_USER_INPUT")
    assert body["errors"][0]["locations"] == [{"line": 1, "column": 36}]
    assert "NUL character" in body["errors"][0]["message"]


async def test_a_lone_surrogate_in_a_string_literal_is_a_syntax_error(client):
    response = await client.post(
        "/graphql",
        content=_raw(
            '{"query": "{ items(filter: {title: {contains: \\"\\ud800\\"}}) { totalCount } }"}'
        ),
        headers={"content-type": "application/json"},
    )
    request_error(response, 200, "GRAPHQL_PARSE_FAILED")


@pytest.mark.parametrize("key", ["operationName", "extensions"])
async def test_a_lone_surrogate_elsewhere_in_the_body_is_a_400(client, key):
    value = '"\\ud800"' if key == "operationName" else '{"x": "\\ud800"}'
    response = await client.post(
        "/graphql",
        content=_raw(
            '{"query": "{ __typename }", "KEY": VALUE}'.replace("KEY", key).replace("VALUE", value)
        ),
        headers={"content-type": "application/json"},
    )
    request_error(response, 400, "BAD_REQUEST")


async def test_a_client_mistake_is_one_line_at_info(client, caplog):
    # when: a raw UUID where a global ID is expected
    with caplog.at_level(logging.DEBUG):
        response = await client.post(
            "/graphql",
            json={"query": '{ item(id: "6a0d5b8a-0a8e-4f55-9d8b-3b3b3b3b3b3b") { id } }'},
        )
    # then
    assert codes(response.json()) == ["INVALID_ID"]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    assert not [r for r in caplog.records if r.exc_info], caplog.text
    [line] = [r for r in caplog.records if "client error" in r.getMessage()]
    assert line.levelno == logging.INFO
    assert "INVALID_ID" in line.getMessage()


async def test_messages_read_as_english(client, factory):
    # given
    org = await factory.organization(slug="words")
    member = await factory.member(org, role="OWNER")
    wrong = gid("Organization", org.id)
    # when: an Organization's ID where an Item's is expected; a blank tag name
    item = await client.post("/graphql", json={"query": f'{{ item(id: "{wrong}") {{ id }} }}'})
    tag = await client.post(
        "/graphql",
        json={
            "query": 'mutation($o: ID!) { tagCreate(input: {organization: $o, name: " "}) '
            "{ ... on ValidationError { fields { message } } } }",
            "variables": {"o": wrong},
        },
        headers={"Authorization": f"Bearer {member.token}"},
    )
    # then
    assert item.json()["errors"][0]["message"] == f"{wrong!r} is not the ID of an Item"
    assert tag.json()["data"]["tagCreate"]["fields"] == [
        {"message": "Must be at least 1 character."}
    ]


@pytest.mark.parametrize("method", ["POST", "GET"])
@pytest.mark.parametrize(
    ("accept", "status"),
    [
        ("application/json", 200),
        ("application/graphql-response+json,application/json;q=0.9", 400),  # Apollo Client 4
    ],
)
async def test_a_persisted_query_hash_alone_is_refused_as_apollo_expects(
    client, method, accept, status
):
    # given: what Apollo's PersistedQueryLink sends first (no `query`, only its hash)
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": "ab" * 32}}
    kwargs: dict[str, Any] = (
        {"json": {"operationName": "Items", "variables": {}, "extensions": extensions}}
        if method == "POST"
        else {"params": {"operationName": "Items", "extensions": json.dumps(extensions)}}
    )
    # when
    response = await client.request(method, "/graphql", headers={"Accept": accept}, **kwargs)
    # then: JSON the link reads, so that it sends the query next
    body = request_error(
        response, status, "PERSISTED_QUERY_NOT_SUPPORTED", graphql_response=status == 400
    )
    assert body["errors"][0]["message"] == "PersistedQueryNotSupported"
