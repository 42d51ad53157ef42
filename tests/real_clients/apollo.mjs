// Apollo Client 4 in Node against a running Trellis server, the way a frontend uses it:
// PersistedQueryLink on (it must fall back to sending the query), relayStylePagination with
// fetchMore over two pages, a mutation whose payload updates the cached list without a
// refetch, and a GraphQLWsLink subscription receiving an event. Prints one JSON line of what
// it saw; tests/test_real_clients.py judges it. Exits 1 on an unexpected exception.
//
// Usage: node apollo.mjs http://127.0.0.1:8000/graphql <access token>
import { createHash } from "node:crypto";

import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { relayStylePagination } from "@apollo/client/utilities";
import { getMainDefinition } from "@apollo/client/utilities";
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [url, token] = process.argv.slice(2);
if (!url || !token) {
  console.error("usage: node apollo.mjs <graphql endpoint url> <access token>");
  process.exit(2);
}

// Every HTTP request the client sends, in order: whether it carried the query text and the
// persisted-query hash, and the answer's status.
const sent = [];
async function recordingFetch(input, init) {
  const body = init?.body ? JSON.parse(init.body) : {};
  const response = await fetch(input, init);
  sent.push({
    operationName: body.operationName ?? null,
    hasQuery: typeof body.query === "string",
    persisted: Boolean(body.extensions?.persistedQuery),
    status: response.status,
  });
  return response;
}

const sha256 = (text) => createHash("sha256").update(text).digest("hex");
const http = new HttpLink({
  uri: url,
  fetch: recordingFetch,
  headers: { Authorization: `Bearer ${token}` },
});
const persisted = new PersistedQueryLink({ sha256 });
const ws = new GraphQLWsLink(
  createClient({
    url: url.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${token}` },
    shouldRetry: (event) => event?.code !== 4403,
  }),
);
const link = ApolloLink.split(
  ({ query }) => {
    const definition = getMainDefinition(query);
    return definition.kind === "OperationDefinition" && definition.operation === "subscription";
  },
  ws,
  ApolloLink.from([persisted, http]),
);
const client = new ApolloClient({
  link,
  cache: new InMemoryCache({
    typePolicies: { Query: { fields: { items: relayStylePagination(["filter", "orderBy"]) } } },
  }),
});

const ITEMS = gql`
  query Items($first: Int!, $after: String) {
    items(first: $first, after: $after, orderBy: [{ field: TITLE }]) {
      edges {
        cursor
        node {
          id
          title
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;
const RENAME = gql`
  mutation Rename($id: ID!, $title: String!) {
    itemUpdate(input: { id: $id, title: $title }) {
      __typename
      ... on ItemSuccess {
        item {
          id
          title
        }
      }
    }
  }
`;
const CHANGES = gql`
  subscription Changes {
    changes(filter: { entityTypes: ["Item"] }) {
      action
      entityId
      node {
        ... on Item {
          id
          title
        }
      }
    }
  }
`;

const titles = (result) => result.data.items.edges.map((edge) => edge.node.title);
const result = {};

// Two pages through fetchMore; relayStylePagination merges them into one cached list.
const first = await client.query({ query: ITEMS, variables: { first: 2 } });
result.firstPage = titles(first);
const more = await client.query({ query: ITEMS, variables: { first: 2 } }); // from the cache
result.cachedAgain = titles(more);
const watched = client.watchQuery({ query: ITEMS, variables: { first: 2 } });
const updates = [];
const watching = watched.subscribe({ next: (value) => value.data && updates.push(titles(value)) });
await new Promise((resolve) => setTimeout(resolve, 100));
await watched.fetchMore({ variables: { after: first.data.items.pageInfo.endCursor } });
await new Promise((resolve) => setTimeout(resolve, 100));
result.afterFetchMore = updates.at(-1);

// A subscription over GraphQLWsLink, then a mutation: its payload updates the cached list
// (no refetch) and the subscription receives the change.
const events = [];
const subscription = client.subscribe({ query: CHANGES }).subscribe({
  next: (value) => events.push(value.data?.changes ?? value),
  error: (error) => events.push({ error: String(error) }),
});
await new Promise((resolve) => setTimeout(resolve, 500)); // registered on the server
const requestsBefore = sent.length;
const target = first.data.items.edges[0].node;
const renamed = await client.mutate({
  mutation: RENAME,
  variables: { id: target.id, title: `${target.title} (renamed)` },
});
result.mutation = renamed.data.itemUpdate.__typename;
await new Promise((resolve) => setTimeout(resolve, 100));
result.afterMutation = updates.at(-1);
result.requestsForMutation = sent.length - requestsBefore;
const deadline = Date.now() + 10000;
while (events.length === 0 && Date.now() < deadline) {
  await new Promise((resolve) => setTimeout(resolve, 50));
}
result.event = events[0] ?? null;
result.eventFor = target.id;
result.sent = sent;

subscription.unsubscribe();
watching.unsubscribe();
client.stop();
await ws.client.dispose();
console.log(JSON.stringify(result));
process.exit(0);
