/* outbox.js - offline collection (docs/api.md, offline collection): registers the service
 * worker (/sw.js) that keeps this page for use without a network, and sends the form through
 * the JSON API. An answer that cannot be sent now is kept in IndexedDB with its response id
 * until the server acknowledges it (201, or 200 for a resend of the same id and content), then
 * erased; sending resumes by itself (back-off, the online event, the next visit). Without
 * JavaScript the page posts the form as always. The interviewers' mode (data-mode="collect")
 * adds the channel and lists what waits and what was sent. */
(function () {
	'use strict';
	var form = document.getElementById('survey');
	if (!form || !window.indexedDB || !window.fetch || !window.Promise)
		return;
	var survey = form.getAttribute('data-survey');
	var collect = form.getAttribute('data-mode') === 'collect';
	var mode = collect ? 'collect' : 'web';
	var box = document.getElementById('outbox');
	var sentNow = [];                 /* this page's sent questionnaires: memory only */
	var sending = false, timer = null, delay = 1000, note = '';
	var MAX_DELAY = 20000;

	/* --- the service worker: keep this page and its scripts for offline use --- */
	if ('serviceWorker' in navigator) {
		navigator.serviceWorker.register('/sw.js').then(function () {
			return navigator.serviceWorker.ready;
		}).then(function (reg) {
			var m = document.querySelector('link[rel="manifest"]');
			var urls = [location.pathname + location.search, '/static/form.js', '/static/outbox.js'];
			if (m)
				urls.push(m.getAttribute('href'));
			navigator.serviceWorker.addEventListener('message', function (e) {
				if (e.data && e.data.cached)
					document.documentElement.setAttribute('data-offline', 'ready');
			});
			reg.active.postMessage({ cache: urls });
		}).catch(function () { /* no offline use: the page still works online */ });
	}

	/* --- IndexedDB: one store of kept answers, keyed by the response id --- */
	var dbp = null;
	function db() {
		if (!dbp)
			dbp = new Promise(function (ok, fail) {
				var rq = indexedDB.open('sipas-outbox', 1);
				rq.onupgradeneeded = function () { rq.result.createObjectStore('outbox', { keyPath: 'id' }); };
				rq.onsuccess = function () { ok(rq.result); };
				rq.onerror = function () { fail(rq.error); };
			});
		return dbp;
	}
	function tx(kind, fn) {
		return db().then(function (d) {
			return new Promise(function (ok, fail) {
				var t = d.transaction('outbox', kind), out = fn(t.objectStore('outbox'));
				t.oncomplete = function () { ok(out && out.result); };
				t.onerror = t.onabort = function () { fail(t.error); };
			});
		});
	}
	function all() {
		return tx('readonly', function (s) { return s.getAll(); }).then(function (list) {
			return (list || []).filter(function (r) { return r.mode === mode; })
				.sort(function (a, b) { return a.at - b.at; });
		});
	}
	function put(rec) { return tx('readwrite', function (s) { return s.put(rec); }); }
	function drop(id) { return tx('readwrite', function (s) { return s['delete'](id); }); }

	function uuid() {
		if (crypto.randomUUID)
			return crypto.randomUUID();
		var b = crypto.getRandomValues(new Uint8Array(16)), h = '';
		b[6] = (b[6] & 15) | 64;
		b[8] = (b[8] & 63) | 128;
		for (var i = 0; i < 16; i++)
			h += (b[i] + 256).toString(16).slice(1) + ([3, 5, 7, 9].indexOf(i) >= 0 ? '-' : '');
		return h;
	}

	/* The JSON body of the form as it stands: {id, agency|invite, channel, answers}. */
	function body(id) {
		var answers = {}, out = { id: id, answers: answers };
		Array.prototype.forEach.call(form.elements, function (e) {
			if (!e.name || e.disabled || ((e.type === 'radio' || e.type === 'checkbox') && !e.checked))
				return;
			var v = e.value;
			if (e.name === '_agency' && v)
				out.agency = v;
			else if (e.name === '_invite' && v)
				out.invite = v;
			else if (e.name === '_channel')
				out.channel = v;
			else if (e.name.charAt(0) === '_' || v.trim() === '')
				return;
			else if (e.type === 'checkbox')
				(answers[e.name] = answers[e.name] || []).push(+v);
			else if (e.type === 'radio')
				answers[e.name] = +v;
			else if (e.getAttribute('inputmode') === 'decimal')
				answers[e.name] = isFinite(v.replace(',', '.')) ? +v.replace(',', '.') : v;
			else
				answers[e.name] = v;
		});
		if (!collect)
			out.channel = 'web';
		return out;
	}

	function label(rec) {
		var sel = form.querySelector('select[name="_agency"] option[value="' + (rec.agency || '') + '"]');
		var ch = form.querySelector('input[name="_channel"][value="' + rec.channel + '"]');
		return new Date(rec.at).toLocaleTimeString('vi-VN', { hour: '2-digit', minute: '2-digit' }) +
			(collect ? ' · ' + (sel ? sel.textContent : rec.agency) + ' · ' +
			 (ch ? ch.parentNode.textContent : rec.channel) : '');
	}

	/* The server's reason, in Vietnamese, from an error reply. */
	function reason(res) {
		return res.json().then(function (j) {
			if (j.errors)
				return j.errors.map(function (e) { return e.message; }).join(' ');
			return j.error && j.error.message;
		}, function () { return null; }).then(function (m) {
			return m || 'Máy chủ không nhận phiếu (mã lỗi ' + res.status + ').';
		});
	}

	/* Sends one kept answer. Resolves to 'sent', 'retry', 'login' or 'rejected'. */
	function send(rec) {
		var h = { 'Content-Type': 'application/json' };
		if (collect)
			h['X-CSRF-Token'] = form.elements._csrf.value;
		return fetch('/api/v1/surveys/' + encodeURIComponent(rec.survey) + '/responses', {
			method: 'POST', headers: h, body: rec.body, credentials: 'same-origin', cache: 'no-store'
		}).then(function (res) {
			if (res.status === 200 || res.status === 201)
				return drop(rec.id).then(function () {
					sentNow.unshift(rec);
					return 'sent';
				});
			if (res.status >= 500 || res.status === 429 || res.status === 408)
				return 'retry';
			if (res.status === 401)
				return 'login';
			return reason(res).then(function (why) {
				rec.state = 'rejected';
				rec.reason = why;
				return put(rec).then(function () { return 'rejected'; });
			});
		}, function () { return 'retry'; });
	}

	function later() {
		clearTimeout(timer);
		timer = setTimeout(flush, delay);
		delay = Math.min(delay * 2, MAX_DELAY);
	}

	/* Sends what waits, oldest first, one at a time; on a failure that may pass, tries again later. */
	function flush() {
		if (sending)
			return Promise.resolve();
		sending = true;
		clearTimeout(timer);
		return all().then(function (list) {
			var waiting = list.filter(function (r) { return r.state === 'waiting'; });
			var step = function (i) {
				if (i === waiting.length) {
					delay = 1000;
					return null;
				}
				return send(waiting[i]).then(function (how) {
					if (how === 'retry') {
						later();
						return null;
					}
					if (how === 'login') {
						note = 'Phiên đăng nhập đã hết hạn: vui lòng đăng nhập lại để gửi các phiếu đang chờ.';
						return null;
					}
					return step(i + 1);
				});
			};
			return step(0);
		}).then(function () { sending = false; return show(); },
			function () { sending = false; later(); return show(); });
	}

	function item(text, cls, id) {
		var li = document.createElement('li');
		li.textContent = text;
		if (cls)
			li.className = cls;
		if (id) {
			var b = document.createElement('button');
			b.type = 'button';
			b.textContent = 'Bỏ phiếu này';
			b.onclick = function () { drop(id).then(show); };
			li.appendChild(document.createTextNode(' '));
			li.appendChild(b);
		}
		return li;
	}

	/* The page's account of kept, refused and sent answers. */
	function show() {
		return all().then(function (list) {
			var waiting = list.filter(function (r) { return r.state === 'waiting'; });
			var refused = list.filter(function (r) { return r.state === 'rejected'; });
			var p = document.createElement('p'), ul = document.createElement('ul');
			box.textContent = '';
			box.setAttribute('data-waiting', waiting.length);
			box.setAttribute('data-sent', sentNow.length);
			box.hidden = !(waiting.length || refused.length || sentNow.length || note || collect);
			p.textContent = waiting.length ?
				'Đã lưu ' + waiting.length + ' phiếu trên máy này, đang chờ gửi. Phiếu sẽ tự động được gửi khi có mạng.' :
				sentNow.length ? 'Đã gửi xong, không còn phiếu nào chờ gửi.' :
				collect ? 'Không có phiếu nào đang chờ gửi.' : '';
			box.appendChild(p);
			if (note)
				box.appendChild(item(note, 'err'));
			refused.forEach(function (r) {
				ul.appendChild(item('Phiếu lưu lúc ' + label(r) + ' không được máy chủ nhận: ' + r.reason, 'err', r.id));
			});
			if (collect) {
				waiting.forEach(function (r) { ul.appendChild(item('Chờ gửi: ' + label(r), 'waiting')); });
				sentNow.forEach(function (r) { ul.appendChild(item('Đã gửi: ' + label(r), 'sent')); });
			}
			box.appendChild(ul);
		});
	}

	function fresh() {
		form.reset();
		var ch = form.elements._channel;
		if (collect && ch && ch.length)
			Array.prototype.forEach.call(ch, function (e) { e.checked = e.value === form.lastChannel; });
		form.dispatchEvent(new Event('change'));
		window.scrollTo(0, 0);
	}

	form.addEventListener('submit', function (e) {
		e.preventDefault();
		var button = form.querySelector('button[type="submit"]');
		var data = body(uuid());
		var rec = { id: data.id, survey: survey, mode: mode, agency: data.agency, channel: data.channel,
			    body: JSON.stringify(data), at: Date.now(), state: 'waiting' };
		form.lastChannel = data.channel;
		button.disabled = true;
		note = '';
		put(rec).then(function () {
			return send(rec);
		}).then(function (how) {
			button.disabled = false;
			if (how === 'sent' && !collect)
				return location.assign('/s/' + encodeURIComponent(survey) + '/thanks');
			if (how === 'rejected') {   /* answered online: the server shows why beside each answer */
				return drop(rec.id).then(function () {
					if (!collect)
						return form.submit();
					note = rec.reason;
					return show();
				});
			}
			if (how === 'retry') {
				note = '';
				later();
			}
			fresh();
			return show();
		}).catch(function () {       /* no IndexedDB (private mode): post the form as always */
			button.disabled = false;
			if (!collect)
				form.submit();
		});
	});

	window.addEventListener('online', function () { delay = 1000; flush(); });
	flush();
})();
