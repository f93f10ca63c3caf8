// The exam's service worker (served from /tryout/sw.js, scope /tryout/sesi/): a reload without
// network still shows the exam. The exam page (its address holds the attempt's UUID, so one
// person's copy is never another's address) and the static files are fetched from the network
// first and kept; offline the kept copy answers. Only GETs: answers, heartbeats and the hand-in
// always go to the server (the page queues them). The page deletes its copy on hand-in.
"use strict";
const CACHE = "cpns-exam";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function isExamPage(url) {
  return url.origin === self.location.origin &&
    url.pathname.startsWith(new URL(self.registration.scope).pathname) &&
    /^[^/]+\/$/.test(url.pathname.slice(new URL(self.registration.scope).pathname.length));
}
function isStatic(url) {
  return url.origin === self.location.origin && url.pathname.startsWith("/static/");
}

// The first visit is not served by the worker: the page names what to keep.
self.addEventListener("message", function (event) {
  const data = event.data || {};
  if (data.type !== "keep" || !Array.isArray(data.urls)) return;
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(data.urls.map(function (u) {
      const url = new URL(u, self.location.origin);
      if (!isExamPage(url) && !isStatic(url)) return null;
      return fetch(url, { credentials: "same-origin" }).then(function (r) {
        if (r.ok && !r.redirected) return cache.put(url.pathname, r);
        return null;
      }).catch(function () { return null; });
    }));
  }));
});

self.addEventListener("fetch", function (event) {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  const page = request.mode === "navigate" && isExamPage(url);
  if (!page && !isStatic(url)) return;
  event.respondWith(fetch(request).then(function (response) {
    const key = url.pathname;
    if (response.ok && response.type === "basic" && !response.redirected) {
      const copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(key, copy); });
    } else if (page) {
      // Handed in, locked or gone: the exam is no longer to be shown from a copy.
      caches.open(CACHE).then(function (cache) { cache.delete(key); });
    }
    return response;
  }).catch(function () {
    return caches.open(CACHE).then(function (cache) { return cache.match(url.pathname); })
      .then(function (hit) { return hit || Response.error(); });
  }));
});
