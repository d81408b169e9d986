/* ledger's service worker (docs/UI.md "Installable app"), written to dist/sw.js at build time by vite.config.ts,
 * which fills in the build's file list and a version hash of it.
 *
 * - The app shell (/, the manifest, the icons) and every content-hashed file of /assets/ are cached at install;
 *   /assets/ answers from the cache first (its names change with their content), a page from the network first,
 *   with the cached shell when the network fails (the app then opens offline, and the shell keeps its CSP).
 * - /api/ (and /openapi.json, /docs, /healthz, /readyz) is never touched: no respondWith, so the browser goes to
 *   the network as if there were no worker, and no answer that could carry a token is ever cached.
 * - A new version waits until the page asks it to take over ("skip-waiting", after the person chose Reload). */
const VERSION = "__VERSION__";
const PRECACHE = __PRECACHE__;
const CACHE = `ledger-shell-${VERSION}`;
const NETWORK_ONLY = /^\/(api|openapi\.json|docs|healthz|readyz)(\/|$)/;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name.startsWith("ledger-shell-") && name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || NETWORK_ONLY.test(url.pathname)) return; // network only
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => caches.match("/", { cacheName: CACHE }).then((shell) => shell || Response.error())));
    return;
  }
  if (url.pathname.startsWith("/assets/") || PRECACHE.includes(url.pathname)) {
    event.respondWith(caches.match(request, { cacheName: CACHE }).then((hit) => hit || fetch(request)));
  }
});
