// The till's service worker (docs/TILL.md, "Reloading offline"), served at /till/sw.js by
// config/till_shell.py: it keeps the page and its modules so /till/ reloads while the server cannot
// be reached. It never answers anything but GETs of those files: GraphQL goes to the server or fails,
// and a login still needs the server (the page decides what a reload may restore, api.js).
const VERSION = "{{ version }}"; // a hash of the page template and static/till/: a deploy changes it
const CACHE = `till-shell-${VERSION}`;
const PAGE = "{{ page_url }}";
const SHELL = {{ shell_urls|safe }};
const SHELL_PATHS = new Set(SHELL);
// How long the server has to answer before the cached copy is served, and how long after a failure
// the worker goes to the cache first (so a reload with the server down waits once, not per module).
const NETWORK_WAIT_MS = 4_000;
const CACHE_FIRST_MS = 30_000;
const MATCH = { ignoreVary: true, ignoreSearch: true };

let cacheFirstUntil = 0;

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // Straight from the server, not the HTTP cache: the shell must be this deploy's files.
    await cache.addAll(SHELL.map((url) => new Request(url, { cache: "reload", credentials: "same-origin" })));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith("till-shell-") && name !== CACHE).map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return; // POST /graphql/ and the like: never from a cache
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    if (url.pathname === PAGE) event.respondWith(networkElseCache(request, PAGE));
  } else if (SHELL_PATHS.has(url.pathname)) {
    event.respondWith(networkElseCache(request, url.pathname));
  }
});

/**
 * The server's copy while it answers (and kept for next time), else the cached one. Network first,
 * so an online till always runs what the server serves: the cache only stands in for a server that
 * cannot be reached, answers 5xx, or takes longer than NETWORK_WAIT_MS.
 */
async function networkElseCache(request, key) {
  const cache = await caches.open(CACHE);
  if (Date.now() < cacheFirstUntil) {
    const cached = await cache.match(key, MATCH);
    if (cached) return cached;
  }
  const network = fetch(request);
  const served = network.then((response) => {
    if (response.status >= 500) throw new Error(`HTTP ${response.status}`);
    if (response.ok) {
      cacheFirstUntil = 0;
      cache.put(key, response.clone()).catch(() => {}); // a full disk costs the copy, not the page
    }
    return response;
  });
  served.catch(() => {}); // answered from the cache meanwhile: a late failure is no news
  try {
    return await Promise.race([served, timeout(NETWORK_WAIT_MS)]);
  } catch {
    cacheFirstUntil = Date.now() + CACHE_FIRST_MS;
    const cached = await cache.match(key, MATCH);
    if (cached) return cached;
    return network; // nothing cached: the server's own answer (a 5xx too), or its failure, when it comes
  }
}

function timeout(ms) {
  return new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), ms));
}
