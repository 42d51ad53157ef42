"""The basics a first request meets."""

ME = "query { me { email } }"


async def test_anonymous_me_is_null(gql):
    # when
    body = await gql(ME)
    # then
    assert body == {"data": {"me": None}}


async def test_me_with_token(gql, factory):
    # given
    member = await factory.member(email="ada@example.com")
    # when
    body = await gql(ME, token=member.token)
    # then
    assert body["data"]["me"]["email"] == "ada@example.com"


async def test_healthz_and_readyz(client):
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ok"
