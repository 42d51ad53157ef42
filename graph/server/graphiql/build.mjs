// Bundles src/main.js (GraphiQL, React, the explorer plugin, graphql-ws) into dist/, with
// content-hashed names, and writes dist/manifest.json for the server to find them.
// Run by `make install` after `npm ci`; nothing here is fetched at page load.
import { build } from "esbuild";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
// GRAPHIQL_DIST builds elsewhere (served with TRELLIS_GRAPHIQL_DIST pointing there).
const dist = process.env.GRAPHIQL_DIST ?? join(here, "dist");
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist);

const result = await build({
  absWorkingDir: here,
  entryPoints: { graphiql: "src/main.js" },
  outdir: dist,
  entryNames: "[name]-[hash]",
  bundle: true,
  format: "iife",
  platform: "browser",
  target: ["es2020"],
  minify: true,
  legalComments: "linked",
  // The page's CSP allows data: fonts and images; everything else must be bundled.
  loader: { ".woff": "dataurl", ".woff2": "dataurl", ".png": "dataurl", ".svg": "dataurl" },
  define: { "process.env.NODE_ENV": '"production"' },
  metafile: true,
  logLevel: "warning",
});

const manifest = {};
for (const [file, output] of Object.entries(result.metafile.outputs)) {
  if (output.entryPoint && file.endsWith(".js")) {
    manifest.js = basename(file);
    if (output.cssBundle) manifest.css = basename(output.cssBundle);
  }
}
if (!manifest.js || !manifest.css) throw new Error(`unexpected build outputs: ${JSON.stringify(manifest)}`);
writeFileSync(join(dist, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`GraphiQL assets built: dist/${manifest.js}, dist/${manifest.css}`);
