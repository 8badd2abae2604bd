/* Service worker of the outreach field page only (scope /outreach/field/).
 *
 * Keeps the page's own script and stylesheet so the page opens without a connection; pages with
 * personal data are never cached — when offline, a navigation gets a small static notice that the
 * saved visits are kept (encrypted) on the device and will be sent from the field page. */
var CACHE = "tsunagu-outreach-field-v1";
var ASSETS = /*ASSETS*/[];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(ASSETS); }));
  self.skipWaiting();
});
self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});
self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (ASSETS.indexOf(url.pathname) >= 0) {
    event.respondWith(caches.match(url.pathname).then(function (hit) { return hit || fetch(request); }));
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(function () {
      return new Response(
        "<!DOCTYPE html><html lang=ja><meta charset=utf-8><title>オフライン</title>" +
          "<p>オフラインです。入力済みの訪問記録は、この端末に暗号化して保存されています。" +
          "接続が戻ったら、訪問記録の画面を開き直すと送信されます。</p></html>",
        { headers: { "Content-Type": "text/html; charset=utf-8" } }
      );
    }));
  }
});
