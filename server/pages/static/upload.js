/* upload.js - the paper-upload page (/upload/{survey}): sends the chosen CSV or .xlsx file as the body
 * of POST /api/v1/surveys/{survey}/uploads with upload progress, then shows the result or the
 * table of errors, and offers the failing rows (?errors=csv) for download. */
(function () {
  'use strict';
  var form = document.getElementById('upload-form');
  if (!form) return;
  var survey = form.getAttribute('data-survey');
  var csrf = form.getAttribute('data-csrf') || '';
  var input = document.getElementById('file');
  var dry = document.getElementById('dry-run');
  var button = document.getElementById('send');
  var progress = document.getElementById('progress');
  var progressText = document.getElementById('progress-text');
  var result = document.getElementById('result');
  var table = document.getElementById('errors');
  var tbody = table.querySelector('tbody');
  var more = document.getElementById('errors-more');
  var download = document.getElementById('errors-download');
  var lastFile = null;

  function text(el, s) { el.textContent = s; }
  function show(el, on) { el.hidden = !on; }

  function say(kind, message) {
    result.className = kind === 'error' ? 'error notice' : 'notice';
    text(result, message);
    show(result, true);
  }

  var XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

  function isWorkbook(file) {
    return file.type === XLSX || /\.xlsx$/i.test(file.name);
  }

  function send(file, query, type, done) {
    var xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/v1/surveys/' + encodeURIComponent(survey) + '/uploads?' + query);
    xhr.setRequestHeader('Content-Type', isWorkbook(file) ? XLSX : 'text/csv');
    if (csrf) xhr.setRequestHeader('X-CSRF-Token', csrf);
    xhr.responseType = type;
    xhr.upload.onprogress = function (e) {
      if (!e.lengthComputable) return;
      var pct = Math.floor(100 * e.loaded / e.total);
      progress.value = pct;
      text(progressText, pct < 100 ? 'Đang gửi tệp: ' + pct + '%' : 'Đang kiểm tra và lưu…');
    };
    xhr.onload = function () { done(xhr); };
    xhr.onerror = function () {
      button.disabled = false;
      show(progress, false);
      text(progressText, '');
      say('error', 'Mất kết nối tới máy chủ. Xin vui lòng thử lại.');
    };
    show(progress, true);
    progress.value = 0;
    xhr.send(file);
  }

  function json(xhr) {
    try { return JSON.parse(xhr.responseText); } catch (e) { return null; }
  }

  function showErrors(body) {
    var i, e, tr, cells;
    while (tbody.firstChild) tbody.removeChild(tbody.firstChild);
    for (i = 0; i < body.errors.length; i++) {
      e = body.errors[i];
      tr = document.createElement('tr');
      cells = [e.row > 0 ? String(e.row) : '–', e.column || '–', e.message_vi || e.message];
      cells.forEach(function (c, k) {
        var td = document.createElement('td');
        if (k === 0) td.className = 'num';
        td.textContent = c;
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    }
    show(table, body.errors.length > 0);
    if (body.total > body.errors.length) {
      text(more, 'Chỉ hiển thị ' + body.errors.length + ' lỗi đầu tiên trong tổng số ' + body.total + ' lỗi.');
      show(more, true);
    }
    show(download, true);
  }

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var file = input.files && input.files[0];
    if (!file) { say('error', 'Xin vui lòng chọn một tệp Excel (.xlsx) hoặc CSV.'); return; }
    lastFile = file;
    button.disabled = true;
    show(result, false); show(table, false); show(more, false); show(download, false);
    var query = 'name=' + encodeURIComponent(file.name) + (dry.checked ? '&dry_run=1' : '');
    send(file, query, 'text', function (xhr) {
      var body = json(xhr);
      button.disabled = false;
      show(progress, false);
      text(progressText, '');
      if (xhr.status === 201 && body) {
        say('ok', 'Đã lưu ' + body.rows + ' phiếu (lần tải lên số ' + body.upload + ').');
      } else if (xhr.status === 200 && body) {
        say('ok', 'Tệp hợp lệ: ' + body.rows + ' phiếu. Chưa lưu vì chỉ kiểm tra.');
      } else if (xhr.status === 422 && body && body.errors) {
        say('error', 'Tệp có ' + body.total + ' lỗi nên chưa phiếu nào được lưu. ' +
            'Xin sửa các dòng dưới đây rồi tải lên lại cả tệp.');
        showErrors(body);
      } else if (xhr.status === 409 && body && body.error && body.error.upload) {
        say('error', 'Tệp này đã được tải lên trước đây (lần tải lên số ' + body.error.upload + ').');
      } else if (xhr.status === 401 || xhr.status === 403) {
        say('error', 'Ông/Bà không có quyền tải lên cho đợt khảo sát này, hoặc phiên đăng nhập đã hết hạn.');
      } else if (xhr.status === 413) {
        say('error', 'Tệp quá lớn.');
      } else {
        say('error', 'Máy chủ báo lỗi (' + xhr.status + '). Xin vui lòng thử lại sau.');
      }
    });
  });

  download.addEventListener('click', function (ev) {
    ev.preventDefault();
    if (!lastFile) return;
    var name = lastFile.name;
    send(lastFile, 'errors=csv&name=' + encodeURIComponent(name), 'blob', function (xhr) {
      show(progress, false);
      text(progressText, '');
      if (xhr.status !== 200) { say('error', 'Không tải được các dòng lỗi (' + xhr.status + ').'); return; }
      var a = document.createElement('a');
      a.href = URL.createObjectURL(xhr.response);
      a.download = 'loi-' + name.replace(/\.(csv|xlsx)$/i, '') + '.csv';
      document.body.appendChild(a);
      a.click();
      document.body.removeChild(a);
    });
  });
}());
