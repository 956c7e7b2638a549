"""The API answers only callers holding a valid key."""

from __future__ import annotations

import pytest

from .conftest import ClientFactory, gql

pytestmark = pytest.mark.anyio

QUERY = '{ profile(id: "nope") { id } }'


async def test_without_a_key_401_and_with_a_key_an_answer(client_for: ClientFactory) -> None:
    anonymous = await client_for(None)
    response = await anonymous.post("/graphql", json={"query": QUERY})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    wrong = await client_for(None)
    response = await wrong.post("/graphql", json={"query": QUERY}, headers={"Authorization": "Bearer idg_x_y"})
    assert response.status_code == 401
    assert await gql(await client_for(), QUERY) == {"data": {"profile": None}}
