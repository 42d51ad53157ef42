// Trellis's GraphiQL: bundled by build.mjs into dist/ and served from Trellis's own origin.
// The page passes its settings in the #graphiql element's data-config attribute (JSON), so
// the strict Content-Security-Policy needs no inline script.
import "graphiql/graphiql.css";
import "@graphiql/plugin-explorer/dist/style.css";
import "./page.css";

import { explorerPlugin } from "@graphiql/plugin-explorer";
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
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

const fetcher = createGraphiQLFetcher({
  url: `${endpoint.origin}${endpoint.pathname}`,
  subscriptionUrl: subscriptionUrl.toString(),
});

const plugins = [explorerPlugin({ showAttribution: false })];

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

const storage = {
  getItem: (key) => window.localStorage.getItem(key),
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
  return React.createElement(GraphiQL, {
    fetcher,
    plugins,
    storage,
    defaultQuery: config.defaultQuery,
    defaultHeaders: config.defaultHeaders,
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
