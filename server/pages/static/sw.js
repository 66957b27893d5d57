/* sw.js - the service worker of offline collection (served as /sw.js, scope /): keeps the
 * citizens' form (/s/...), the interviewers' mode (/collect/...) and their scripts so that
 * they open without a network. Network first: a page is always the server's when it answers;
 * the kept copy is for when it does not. Pages ask for their own copies to be kept (outbox.js
 * posts {cache: [urls]}). Nothing else is touched: other requests go to the network as if
 * there were no worker, and answers are never kept here (outbox.js keeps them in IndexedDB). */
'use strict';
var CACHE = 'sipas-offline-1';
var KEPT = /^\/(s|collect)\/[^/]+(\/manifest\.webmanifest)?$|^\/static\/(form|outbox)\.js$/;

function kept(url) {
	var u = new URL(url, self.location.href);
	return u.origin === self.location.origin && KEPT.test(u.pathname);
}

self.addEventListener('install', function () {
	self.skipWaiting();
});

self.addEventListener('activate', function (e) {
	e.waitUntil(caches.keys().then(function (keys) {
		return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) {
			return caches['delete'](k);
		}));
	}).then(function () { return self.clients.claim(); }));
});

self.addEventListener('message', function (e) {
	var urls = (e.data && Array.isArray(e.data.cache) ? e.data.cache : []).filter(kept).slice(0, 8);
	e.waitUntil(caches.open(CACHE).then(function (c) {
		return Promise.all(urls.map(function (u) {
			return fetch(u, { credentials: 'same-origin', cache: 'no-store' }).then(function (r) {
				if (r.ok && !r.redirected)
					return c.put(u, r);
			});
		}));
	}).then(function () {
		if (e.source)
			e.source.postMessage({ cached: urls.length });
	}, function () { /* offline already: the copies kept before serve */ }));
});

self.addEventListener('fetch', function (e) {
	var req = e.request;
	if (req.method !== 'GET' || !kept(req.url))
		return;
	e.respondWith(fetch(req).then(function (r) {
		if (r.ok && !r.redirected) {
			var copy = r.clone();
			e.waitUntil(caches.open(CACHE).then(function (c) { return c.put(req, copy); }));
		}
		return r;
	}, function () {
		return caches.match(req).then(function (r) {
			return r || new Response('<!doctype html><html lang="vi"><meta charset="utf-8"><title>Không có mạng' +
				'</title><p>Không có kết nối mạng và trang này chưa được lưu trên máy. Vui lòng thử lại khi có mạng.</p>',
				{ status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
		});
	}));
});
