// Trellis's GraphiQL: bundled by build.mjs into dist/ and served from Trellis's own origin.
// The page passes its settings in the #graphiql element's data-config attribute (JSON), so
// the strict Content-Security-Policy needs no inline script.
import "graphiql/graphiql.css";
import "@graphiql/plugin-explorer/dist/style.css";
import "./page.css";

import { explorerPlugin } from "@graphiql/plugin-explorer";
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import { visit } from "graphql";
import { createClient } from "graphql-ws";
import React from "react";
import { createRoot } from "react-dom/client";

const container = document.getElementById("graphiql");
const config = JSON.parse(container.dataset.config);

// Same origin only: HTTP to the page's own endpoint, subscriptions over graphql-ws
// (graphql-transport-ws) on the same path. The headers typed in the Headers pane go with
// every request and, for subscriptions, as the connection_init payload.
const endpoint = new URL(config.endpoint, window.location.href);
const subscriptionUrl = new URL(endpoint);
subscriptionUrl.protocol = endpoint.protocol === "https:" ? "wss:" : "ws:";
subscriptionUrl.search = "";
subscriptionUrl.hash = "";

const httpFetcher = createGraphiQLFetcher({ url: `${endpoint.origin}${endpoint.pathname}` });

// Close codes after which trying again with the same headers cannot help: a refused
// connection_init (4403: the reason says why, e.g. "TOKEN_EXPIRED: ..."), and the protocol's
// own refusals. graphql-ws retries 4403 by default, for about 30 s.
const FINAL_CLOSE_CODES = new Set([4400, 4401, 4403, 4406, 4409, 4429, 4500]);

function isSubscription(documentAST, operationName) {
  let found = false;
  let count = 0;
  visit(documentAST, {
    OperationDefinition(node) {
      count += 1;
      const named = operationName ? node.name?.value === operationName : true;
      if (named && node.operation === "subscription") found = true;
    },
  });
  return found && (operationName || count === 1);
}

// What the result pane shows when a subscription fails: a GraphQL-shaped result, never a
// JavaScript stack. A refused connection's close reason reads "CODE: what to do".
function failure(error) {
  if (Array.isArray(error)) return { errors: error }; // the server's `error` message
  if (error && typeof error.code === "number") {
    const reason = error.reason || `The connection closed (${error.code}).`;
    const code = /^[A-Z_]+(?=: )/.exec(reason)?.[0];
    return {
      errors: [{ message: reason, extensions: { ...(code ? { code } : {}), closeCode: error.code } }],
    };
  }
  return { errors: [{ message: String(error?.message ?? error) }] };
}

// One graphql-transport-ws connection per subscription, its connection_init payload the
// Headers pane's values; results (and a failure, as a result) as an async iterator.
function subscribe(graphQLParams, headers) {
  const client = createClient({
    url: subscriptionUrl.toString(),
    connectionParams: headers,
    retryAttempts: 3,
    shouldRetry: (event) => !(typeof event?.code === "number" && FINAL_CLOSE_CODES.has(event.code)),
  });
  const queue = [];
  let wake = null;
  const push = (item) => {
    queue.push(item);
    if (wake) wake();
  };
  const unsubscribe = client.subscribe(graphQLParams, {
    next: (value) => push({ value }),
    error: (error) => {
      push({ value: failure(error) });
      push({ done: true });
    },
    complete: () => push({ done: true }),
  });
  const finish = () => {
    unsubscribe();
    client.dispose();
    return { done: true, value: undefined };
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      while (queue.length === 0) await new Promise((resolve) => (wake = resolve));
      const item = queue.shift();
      return item.done ? finish() : { done: false, value: item.value };
    },
    async return() {
      return finish();
    },
  };
}

function fetcher(graphQLParams, options) {
  if (options?.documentAST && isSubscription(options.documentAST, graphQLParams.operationName)) {
    return subscribe(graphQLParams, options.headers ?? {});
  }
  return httpFetcher(graphQLParams, options);
}

const explorer = explorerPlugin({ showAttribution: false });
const plugins = [explorer];

// Headers carry bearer tokens, so they live in this tab's memory only. shouldPersistHeaders
// keeps them out of GraphiQL's saved tabs, but its query history saves each run's headers
// too: this storage drops every "headers" value before anything reaches localStorage.
function withoutHeaders(value) {
  if (Array.isArray(value)) return value.map(withoutHeaders);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== "headers")
      .map(([key, item]) => [key, withoutHeaders(item)]),
  );
}

function scrubbed(value) {
  let parsed;
  try {
    parsed = JSON.parse(value);
  } catch {
    return value; // a query or variables text, not a JSON document of GraphiQL's
  }
  return parsed !== null && typeof parsed === "object"
    ? JSON.stringify(withoutHeaders(parsed))
    : value;
}

// Until the user drags the divider, the editors get 62% of the width beside the Explorer
// (the welcome document's lines fit at 1440 px), the result pane the rest.
const DEFAULT_LAYOUT = { "graphiql:editorFlex": "1.6" };

const storage = {
  getItem: (key) => window.localStorage.getItem(key) ?? DEFAULT_LAYOUT[key] ?? null,
  setItem: (key, value) => {
    if (key === "graphiql:headers") return;
    window.localStorage.setItem(key, scrubbed(value));
  },
  removeItem: (key) => window.localStorage.removeItem(key),
  clear() {
    for (const key of Object.keys(window.localStorage)) {
      if (key.startsWith("graphiql:")) window.localStorage.removeItem(key);
    }
  },
  get length() {
    return Object.keys(window.localStorage).filter((key) => key.startsWith("graphiql:")).length;
  },
};

function TrellisGraphiQL() {
  // A new tab starts with the headers of the tab you were on (in memory only, like them).
  const [headers, setHeaders] = React.useState(config.defaultHeaders);
  return React.createElement(GraphiQL, {
    fetcher,
    plugins,
    storage,
    visiblePlugin: explorer, // opens with the Explorer, as the README says
    defaultQuery: config.defaultQuery,
    defaultHeaders: headers,
    onEditHeaders: setHeaders,
    defaultEditorToolsVisibility: "headers",
    isHeadersEditorEnabled: true,
    // Never saved (see storage above), never in the URL: this page does not write any
    // state into the URL at all.
    shouldPersistHeaders: false,
    inputValueDeprecation: true,
  });
}

container.textContent = "";
createRoot(container).render(React.createElement(TrellisGraphiQL));
