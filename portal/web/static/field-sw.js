/* The offline app's service worker (served as /field/sw.js, scope /field/; the precache list below is
 * filled in by portal/web/routes_field.py with each file's hash). Workbox does the caching:
 * - the app's script, styles, icons and Workbox itself are precached (a changed file is fetched again);
 * - the shell page /field/ is network first, so a phone online always gets the current one (and a
 *   logged-out phone the login page), and offline the last one it saw.
 * The records are not here: they live in IndexedDB (field.js). Nothing else of the portal is cached.
 */
importScripts("/static/workbox/workbox-sw.js");
workbox.setConfig({ modulePathPrefix: "/static/workbox/", debug: false });

workbox.core.clientsClaim();
workbox.core.skipWaiting();
workbox.precaching.cleanupOutdatedCaches();
workbox.precaching.precacheAndRoute(self.__PRECACHE__);

workbox.routing.registerRoute(
  function (ctx) {
    return ctx.request.mode === "navigate" && ctx.url.pathname.indexOf("/field") === 0;
  },
  new workbox.strategies.NetworkFirst({ cacheName: "field-shell", networkTimeoutSeconds: 6 })
);

/* The app asks for a wipe at logout or when its session has ended: every cache of this origin goes. */
self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "wipe") {
    event.waitUntil(
      caches.keys().then(function (names) {
        return Promise.all(names.map(function (n) { return caches.delete(n); }));
      })
    );
  }
});
