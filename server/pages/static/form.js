/* form.js - enhances the citizens' web form (it works without this): shows a question only
 * when its show_if condition holds (hidden questions are disabled, so not sent), shows
 * progress, and keeps a draft in localStorage until the form is sent (not in the
 * interviewers' mode, which keeps nothing but what waits to be sent: outbox.js). */
(function () {
	'use strict';
	var form = document.getElementById('survey');
	if (!form)
		return;
	var key = 'sipas-draft:' + form.getAttribute('data-survey');
	var sets = Array.prototype.slice.call(form.querySelectorAll('fieldset[id^="q-"]'));
	var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };

	function checkedCodes(id) {
		var fs = document.getElementById('q-' + id), out = [];
		if (!fs || fs.hidden)
			return out;
		each(fs.querySelectorAll('input:checked'), function (e) { out.push(e.value); });
		return out;
	}

	function answered(fs) {
		var yes = false;
		each(fs.querySelectorAll('input,select,textarea'), function (e) {
			if (e.type === 'hidden')
				return;
			if (e.type === 'radio' || e.type === 'checkbox')
				yes = yes || e.checked;
			else
				yes = yes || e.value.trim() !== '';
		});
		return yes;
	}

	var bar = document.createElement('div');
	var label = document.createElement('span');
	var meter = document.createElement('progress');
	bar.className = 'bar';
	label.setAttribute('aria-live', 'polite');
	bar.appendChild(label);
	bar.appendChild(meter);
	form.insertBefore(bar, form.firstChild);

	function update() {
		var total = 0, done = 0, pass;
		for (pass = 0; pass < 2; pass++) {   /* twice: a condition may name a later question */
			each(sets, function (fs) {
				var ctl = fs.getAttribute('data-if');
				if (!ctl)
					return;
				var want = fs.getAttribute('data-in').split(' ');
				var show = checkedCodes(ctl).some(function (c) { return want.indexOf(c) >= 0; });
				fs.hidden = !show;
				fs.disabled = !show;
			});
		}
		each(sets, function (fs) {
			if (fs.hidden || fs.id === 'q-_agency')
				return;
			total++;
			if (answered(fs))
				done++;
		});
		meter.max = total;
		meter.value = done;
		label.textContent = 'Đã trả lời ' + done + '/' + total + ' câu';
	}

	function save() {
		var data = {};
		if (form.getAttribute('data-mode') === 'collect')
			return;
		each(form.elements, function (e) {
			if (!e.name || e.name === '_csrf' || e.name === '_invite' || e.disabled)
				return;
			if ((e.type === 'radio' || e.type === 'checkbox') && !e.checked)
				return;
			(data[e.name] = data[e.name] || []).push(e.value);
		});
		try {
			localStorage.setItem(key, JSON.stringify(data));
		} catch (x) { /* private mode or full: no draft */ }
	}

	function restore() {
		var data = null;
		try {
			data = JSON.parse(localStorage.getItem(key) || 'null');
		} catch (x) { return; }
		if (!data || typeof data !== 'object')
			return;
		each(form.elements, function (e) {
			if (!e.name || e.name === '_csrf' || e.name === '_invite' || !Object.prototype.hasOwnProperty.call(data, e.name))
				return;
			var v = data[e.name];
			if (e.type === 'radio' || e.type === 'checkbox')
				e.checked = v.indexOf(e.value) >= 0;
			else if (e.type !== 'hidden' || e.name === '_id')
				e.value = v[0];
		});
	}

	if (form.getAttribute('data-fresh') === '1')
		restore();
	update();
	form.addEventListener('change', function () { update(); save(); });
	form.addEventListener('input', function () { update(); save(); });
	form.addEventListener('submit', function () {
		try {
			localStorage.removeItem(key);
		} catch (x) { /* nothing kept */ }
	});
	var errors = document.getElementById('errors');
	if (errors)
		errors.focus();
})();
