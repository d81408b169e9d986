/// <reference types="vitest/config" />
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import preact from "@preact/preset-vite";
import { defineConfig, type Plugin } from "vite";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const swaggerDir = dirname(require.resolve("swagger-ui-dist/package.json"));
const backend = process.env.LEDGER_API ?? "http://127.0.0.1:8000";

// The CSP that Flask puts on pages (API.md §4a); the preview server uses it too, so that
// `npm run preview` shows any inline script or style the policy would block.
const csp = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

function hashed(name: string, body: Buffer | string): string {
  const hash = createHash("sha256").update(body).digest("hex").slice(0, 10);
  const dot = name.lastIndexOf(".");
  return `${name.slice(0, dot)}-${hash}${name.slice(dot)}`;
}

/** The /docs page: swagger-ui-dist's files, content-hashed, plus an external boot script
 * (the CSP forbids inline ones). Nothing is loaded from another host. Keys are paths under /docs/. */
function docsFiles(): Map<string, Buffer | string> {
  const read = (path: string) => readFileSync(path);
  const sources = {
    bundle: ["swagger-ui-bundle.js", read(join(swaggerDir, "swagger-ui-bundle.js"))],
    css: ["swagger-ui.css", read(join(swaggerDir, "swagger-ui.css"))],
    boot: ["boot.js", read(join(here, "docs-src", "boot.js"))],
    page: ["docs.css", read(join(here, "docs-src", "docs.css"))],
  } as const;
  const files = new Map<string, Buffer | string>();
  let html = readFileSync(join(here, "docs-src", "index.html"), "utf8");
  for (const [key, [name, body]] of Object.entries(sources)) {
    const fileName = hashed(name, body);
    files.set(fileName, body);
    html = html.replaceAll(`%${key.toUpperCase()}%`, `/docs/${fileName}`);
  }
  files.set("index.html", html);
  return files;
}

/** Writes the /docs page to dist/docs/ (build) and serves it under the dev server. */
function apiDocs(): Plugin {
  return {
    name: "ledger-api-docs",
    generateBundle() {
      for (const [name, source] of docsFiles()) {
        this.emitFile({ type: "asset", fileName: `docs/${name}`, source });
      }
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const url = (req.url ?? "").split("?")[0] ?? "";
        if (url !== "/docs" && !url.startsWith("/docs/")) return next();
        const name = url === "/docs" || url === "/docs/" ? "index.html" : url.slice("/docs/".length);
        const body = docsFiles().get(name);
        if (body === undefined) return next();
        const type = name.endsWith(".js") ? "text/javascript" : name.endsWith(".css") ? "text/css" : "text/html";
        res.setHeader("Content-Type", `${type}; charset=utf-8`);
        res.end(body);
      });
    },
  };
}

/** The service worker (sw-src/sw.js → dist/sw.js): the app shell and the build's hashed files to precache, and a
 * version that changes with them (a new deploy installs a new worker, which the page offers to reload into).
 * The /docs page's files are left out: the API reference is not part of the offline app. */
function serviceWorker(): Plugin {
  const shell = ["/", "/manifest.webmanifest", "/favicon.svg", "/icon-192.png", "/icon-512.png", "/icon-maskable-512.png"];
  return {
    name: "ledger-service-worker",
    apply: "build",
    generateBundle(_options, bundle) {
      const files = Object.keys(bundle)
        .filter((name) => name.startsWith("assets/"))
        .sort()
        .map((name) => `/${name}`);
      const html = bundle["index.html"];
      const precache = [...shell, ...files];
      const version = createHash("sha256")
        .update(JSON.stringify(precache))
        .update(html && html.type === "asset" ? String(html.source) : "")
        .digest("hex")
        .slice(0, 12);
      const source = readFileSync(join(here, "sw-src", "sw.js"), "utf8")
        .replace("__VERSION__", () => version)
        .replace("__PRECACHE__", () => JSON.stringify(precache));
      this.emitFile({ type: "asset", fileName: "sw.js", source });
    },
  };
}

export default defineConfig({
  plugins: [preact(), apiDocs(), serviceWorker()],
  build: {
    target: "es2022",
    sourcemap: false,
    // No inlined assets: a data: URL would be fine for img-src, but keep every file a file.
    assetsInlineLimit: 0,
  },
  server: {
    host: "127.0.0.1",
    port: 5173,
    proxy: {
      "/api": { target: backend, changeOrigin: false },
      "/openapi.json": { target: backend },
      "/healthz": { target: backend },
      "/readyz": { target: backend },
    },
  },
  preview: {
    host: "127.0.0.1",
    port: 4173,
    headers: { "Content-Security-Policy": csp },
    proxy: {
      "/api": { target: backend },
      "/openapi.json": { target: backend },
      "/healthz": { target: backend },
    },
  },
  test: {
    environment: "happy-dom",
    include: ["tests/**/*.test.ts", "tests/**/*.test.tsx"],
    restoreMocks: true,
  },
});
