// Runs graphql-http's GraphQL-over-HTTP audit suite against a running server and prints one
// JSON line: {"url": ..., "results": [{id, name, status, reason, response}, ...]}.
// `status` is ok, notice, warn (a SHOULD failed) or error (a MUST failed); `response` is the
// failing answer's status, content type and the start of its body. Exits 0 whatever the
// results; tests/test_graphql_http_audit.py judges them.
//
// Usage: node audit.mjs http://127.0.0.1:8000/graphql
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql endpoint url>');
  process.exit(2);
}

async function describe(response) {
  if (!response) return null;
  let body = '';
  try {
    body = await response.clone().text();
  } catch (err) {
    body = `<unreadable body: ${err}>`;
  }
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: body.slice(0, 500),
  };
}

const results = [];
for (const audit of serverAudits({ url, fetchFn: fetch })) {
  let result;
  try {
    result = await audit.fn();
  } catch (err) {
    // A fatal failure (the server unreachable, say): report it as an error, keep going.
    result = { id: audit.id, name: audit.name, status: 'error', reason: `audit threw: ${err}` };
  }
  results.push({
    id: result.id,
    name: result.name,
    status: result.status,
    reason: result.status === 'ok' ? null : result.reason,
    response: result.status === 'ok' ? null : await describe(result.response),
  });
}

process.stdout.write(JSON.stringify({ url, results }) + '\n');
