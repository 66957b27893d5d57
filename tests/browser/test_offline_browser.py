#!/usr/bin/env python3
"""Offline collection in a real browser (issue 15; Debian's chromium + chromedriver, headless).

- A real outage: after one visit the server is STOPPED; the form reloads from the service
  worker's cache, two answers are kept in IndexedDB, the page says how many wait; the server
  comes back on the same address and port and both are stored exactly once, sent by the page
  on its own (back-off), with nothing left in the browser.
- A lost acknowledgement: the browser talks to the server through a loopback relay (its
  origin); when the server's reply to the POST arrives (the response is committed), the relay
  kills the server with SIGKILL and closes the browser's connection without the reply. The
  page keeps the answer, sends it again with the same id and body once the server is back, and
  the database holds it once.
- The next visit: the page that kept an answer is closed; opening it again sends it.
- A round closed meanwhile: the kept answer is refused and the page says why.
- The interviewers' mode: a team logs in once, the server stops, ten questionnaires are taken
  in a row offline (both channels, the team's two agencies), then all ten are stored once and
  erased from the browser.

Screenshots go to the build's meson-logs/screenshots/ (test artefacts, not in git)."""
import os
import signal
import socket
import threading
import unittest

import browser as b  # noqa: E402  (skips without a database or a browser)
from browser import h  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

SHOTS = os.path.join(os.path.dirname(os.path.abspath(h.SIPAS)), "meson-logs", "screenshots")
FORM = os.path.join(h.ROOT, "survey-forms", "agency-2024-individual.json")
S = "offline"
WAIT = 60 * h.SLOW        # seconds: sending resumes with a back-off of at most 20 s

READ_OUTBOX = """
var done = arguments[arguments.length - 1];
var rq = indexedDB.open('sipas-outbox', 1);
rq.onupgradeneeded = function () { rq.result.createObjectStore('outbox', { keyPath: 'id' }); };
rq.onsuccess = function () {
  var g = rq.result.transaction('outbox', 'readonly').objectStore('outbox').getAll();
  g.onsuccess = function () { rq.result.close(); done(g.result.map(function (r) { return [r.id, r.state, r.body]; })); };
};
rq.onerror = function () { done('error'); };
"""


class Relay:
    """A loopback relay in front of the server, one request per connection: the browser's origin.
    lose_next, when set, is called with the server's reply to the next POST of a response, and
    that reply then never reaches the browser. posts lists the bodies of those POSTs."""

    def __init__(self, target_port):
        self.target = target_port
        self.lose_next = None
        self.posts = []
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.accept, daemon=True).start()

    def close(self):
        self.sock.close()

    def accept(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(c,), daemon=True).start()

    @staticmethod
    def read_request(c):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = c.recv(65536)
            if not chunk:
                return None, None
            data += chunk
        head, body = data.split(b"\r\n\r\n", 1)
        lines = head.split(b"\r\n")
        length = 0
        for ln in lines[1:]:
            k, _, v = ln.partition(b":")
            if k.strip().lower() == b"content-length":
                length = int(v.strip())
        while len(body) < length:
            chunk = c.recv(65536)
            if not chunk:
                return None, None
            body += chunk
        return lines, body

    @staticmethod
    def closing(lines):
        """The header lines with Connection: close (no connection is reused)."""
        keep = [ln for ln in lines if ln.split(b":")[0].strip().lower() not in (b"connection", b"keep-alive")]
        return b"\r\n".join(keep + [b"Connection: close"]) + b"\r\n\r\n"

    def serve(self, c):
        c.settimeout(30)
        try:
            lines, body = self.read_request(c)
            if lines is None:
                return
            try:
                s = socket.create_connection(("127.0.0.1", self.target), timeout=30)
            except OSError:
                return                                       # the server is down: so is the origin
            with s:
                s.sendall(self.closing(lines) + body)
                reply = b""
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    reply += chunk
            method, path = lines[0].split(b" ")[:2]
            if method == b"POST" and path.endswith(b"/responses"):
                with self.lock:
                    self.posts.append(body)
                    lose, self.lose_next = self.lose_next, None
                if lose:
                    lose(reply)
                    return                                   # the acknowledgement is lost
            if reply:
                rhead, _, rbody = reply.partition(b"\r\n\r\n")
                c.sendall(self.closing(rhead.split(b"\r\n")) + rbody)
        except OSError:
            pass
        finally:
            c.close()


class OfflineBrowser(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.makedirs(SHOTS, exist_ok=True)
        cls.db = h.Database()
        url = cls.db.url
        h.run_sipas(["agencies", "import", os.path.join(h.ROOT, "sql/demo/agencies-lang-son.csv")], url, check=True)
        h.run_sipas(["forms", "load", FORM], url, check=True)
        for code in (S, "lost-ack", "collect", "next-visit"):
            h.run_sipas(["survey", "create", "--id", code, "--form", "agency-2024-individual", "--title",
                         "Khảo sát hài lòng (ngoại tuyến)"], url, check=True)
        cls.team = h.run_sipas(["token", "create", "--role", "team", "--agency", "SNV", "--agency", "STC",
                                "--name", "Tổ phỏng vấn"], url, check=True).stdout.strip()

    @classmethod
    def tearDownClass(cls):
        cls.db.close()

    def setUp(self):
        self.server = h.Server(self.db.url)
        self.port = int(self.server.url.rsplit(":", 1)[1])
        self.addCleanup(self.stop_server)

    def stop_server(self, sig=signal.SIGTERM):
        status = self.server.stop(sig)
        if sig == signal.SIGTERM:
            self.assertEqual(status, 0, self.server.read_log())

    def restart_server(self):
        """The server again, on the same address and port."""
        self.server = h.Server(self.db.url, env={"SIPAS_LISTEN": f"127.0.0.1:{self.port}"})
        self.assertEqual(self.server.url, f"http://127.0.0.1:{self.port}")

    def shot(self, d, name):
        d.save_screenshot(os.path.join(SHOTS, f"offline-{name}.png"))

    # ---- the page ----

    def offline_ready(self, d):
        """Waits until the service worker keeps this page (outbox.js marks the document)."""
        WebDriverWait(d, WAIT).until(
            lambda x: x.execute_script("return document.documentElement.getAttribute('data-offline')") == "ready",
            "the service worker to keep the page")

    def waiting(self, d, n, sent=None):
        def ok(x):
            box = x.find_element(By.ID, "outbox")
            return box.get_attribute("data-waiting") == str(n) and (sent is None or box.get_attribute("data-sent") == str(sent))
        WebDriverWait(d, WAIT).until(ok, f"the page to say {n} answers wait" + (f" and {sent} were sent" if sent else ""))
        return d.find_element(By.ID, "outbox").text

    def outbox(self, d):
        got = d.execute_async_script(READ_OUTBOX)
        self.assertNotEqual(got, "error")
        return got

    def click(self, d, name, value):
        el = d.find_element(By.CSS_SELECTOR, f'input[name="{name}"][value="{value}"]')
        label = el.find_element(By.XPATH, "./ancestor::label")
        d.execute_script("arguments[0].scrollIntoView({block: 'center'})", label)
        label.click()
        self.assertTrue(el.is_selected(), name)

    def answer(self, d, agency, k, channel=None):
        """Fills a questionnaire: agency, channel (the interviewers' mode), the required questions
        and six scale questions with codes that depend on k; submits it."""
        Select(d.find_element(By.NAME, "_agency")).select_by_value(agency)
        if channel:
            self.click(d, "_channel", channel)
        self.click(d, "field", 1 + k % 2)
        self.click(d, "submit_via", 1)
        for i, q in enumerate(("S1_1", "S1_2", "S1_3", "S2_1", "S2_2", "overall")):
            self.click(d, q, 1 + (k + i) % 5)
        button = d.find_element(By.CSS_SELECTOR, "button[type=submit]")
        d.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
        button.click()

    def stored(self, survey):
        return self.db.sql(f"SELECT r.client_id, r.channel, a.code FROM responses r JOIN agencies a ON a.id = r.agency_id"
                           f" JOIN surveys s ON s.id = r.survey_id WHERE s.code = '{survey}' ORDER BY r.id").splitlines()

    # ---- the tests ----

    def test_outage_two_answers_kept_then_sent_once(self):
        d = b.chrome(self, phone=True)
        d.get(self.server.url + f"/s/{S}")
        self.offline_ready(d)
        self.stop_server()                                  # a real outage: nothing listens
        with self.assertRaises(OSError):
            socket.create_connection(("127.0.0.1", self.port), timeout=5).close()
        d.get(f"http://127.0.0.1:{self.port}/s/{S}")           # from the worker's cache
        WebDriverWait(d, WAIT).until(lambda x: x.find_elements(By.CSS_SELECTOR, ".bar progress"), "the form")
        self.assertIn("Khảo sát hài lòng (ngoại tuyến)", d.title)
        self.shot(d, "1-reloaded-offline")
        self.answer(d, "SNV", 0)
        text = self.waiting(d, 1)
        self.assertIn("Đã lưu 1 phiếu trên máy này, đang chờ gửi", text)
        self.answer(d, "STC", 1)
        text = self.waiting(d, 2)
        self.assertIn("Đã lưu 2 phiếu", text)
        self.assertIn("tự động được gửi khi có mạng", text)
        self.shot(d, "2-two-kept")
        kept = self.outbox(d)
        self.assertEqual([st for _, st, _ in kept], ["waiting", "waiting"])
        ids = sorted(i for i, _, _ in kept)
        self.assertEqual(self.stored(S), [])

        self.restart_server()                               # the page sends on its own (back-off)
        rows = h.wait_for(lambda: self.stored(S), WAIT, "both kept answers stored", ok=lambda r: len(r) >= 2)
        text = self.waiting(d, 0)
        self.assertIn("Đã gửi xong", text)
        self.shot(d, "3-sent")
        self.assertEqual(sorted(r.split("|")[0] for r in rows), ids)   # each once, with its id
        self.assertEqual(sorted(r.split("|", 1)[1] for r in rows), ["web|SNV", "web|STC"])
        self.assertEqual(self.outbox(d), [])                # nothing left in the browser

    def test_lost_acknowledgement_stored_once(self):
        relay = Relay(self.port)
        self.addCleanup(relay.close)
        d = b.chrome(self, phone=True)
        d.get(relay.url + "/s/lost-ack")
        self.offline_ready(d)
        lost = []

        def kill(reply):                                    # committed: the server replied; kill it now
            lost.append(reply.split(b"\r\n", 1)[0])
            self.server.proc.kill()
            self.server.proc.wait()
        relay.lose_next = kill
        self.answer(d, "SNV", 2)
        self.waiting(d, 1)
        self.assertEqual(lost, [b"HTTP/1.1 201 Created"])
        self.shot(d, "4-ack-lost")
        [(rid, _, body)] = self.outbox(d)
        self.assertEqual([r.split("|")[0] for r in self.stored("lost-ack")], [rid])   # committed before the kill
        self.stop_server(signal.SIGKILL)

        self.restart_server()
        self.waiting(d, 0)
        self.assertEqual([r.split("|")[0] for r in self.stored("lost-ack")], [rid])   # still once
        with relay.lock:
            posts = list(relay.posts)
        self.assertGreaterEqual(len(posts), 2)
        self.assertEqual(set(posts), {body.encode()}, "every resend is the same id and content")
        self.assertEqual(self.outbox(d), [])

    def test_sent_at_next_visit(self):
        """The page that kept an answer is gone (no timer runs); the next visit sends it."""
        d = b.chrome(self, phone=True)
        d.get(self.server.url + "/s/next-visit")
        self.offline_ready(d)
        self.stop_server()
        d.get(f"http://127.0.0.1:{self.port}/s/next-visit")
        WebDriverWait(d, WAIT).until(lambda x: x.find_elements(By.CSS_SELECTOR, ".bar progress"), "the form")
        self.answer(d, "SNV", 4)
        self.waiting(d, 1)
        [(rid, _, _)] = self.outbox(d)
        d.get("about:blank")                                # the page and its back-off are gone
        self.restart_server()
        self.assertEqual([r for r in self.stored("next-visit") if r.startswith(rid)], [])
        d.get(f"http://127.0.0.1:{self.port}/s/next-visit")
        self.waiting(d, 0)
        self.assertEqual([r for r in self.stored("next-visit") if r.startswith(rid)], [f"{rid}|web|SNV"])
        self.assertEqual(self.outbox(d), [])

    def test_closed_round_told_why(self):
        """An answer kept while the round closed: the server refuses it, the page says why in
        Vietnamese, and the person may let it go."""
        h.run_sipas(["survey", "create", "--id", "closing", "--form", "agency-2024-individual", "--title",
                     "Khảo sát sắp kết thúc"], self.db.url, check=True)
        d = b.chrome(self, phone=True)
        d.get(self.server.url + "/s/closing")
        self.offline_ready(d)
        self.stop_server()
        d.get(f"http://127.0.0.1:{self.port}/s/closing")
        WebDriverWait(d, WAIT).until(lambda x: x.find_elements(By.CSS_SELECTOR, ".bar progress"), "the form")
        self.answer(d, "SNV", 3)
        self.waiting(d, 1)
        h.run_sipas(["survey", "close", "closing"], self.db.url, check=True)
        self.restart_server()
        WebDriverWait(d, WAIT).until(lambda x: x.find_elements(By.CSS_SELECTOR, "#outbox li.err"), "the refusal shown")
        text = d.find_element(By.CSS_SELECTOR, "#outbox li.err").text
        self.assertIn("không được máy chủ nhận: Đợt khảo sát này đã kết thúc, không nhận thêm phiếu.", text)
        self.assertEqual(self.waiting(d, 0), d.find_element(By.ID, "outbox").text)
        self.shot(d, "7-closed-round")
        self.assertEqual([st for _, st, _ in self.outbox(d)], ["rejected"])
        self.assertEqual(self.stored("closing"), [])
        d.find_element(By.CSS_SELECTOR, "#outbox li.err button").click()      # "Bỏ phiếu này"
        WebDriverWait(d, WAIT).until(lambda x: not x.find_elements(By.CSS_SELECTOR, "#outbox li.err"), "the refusal let go")
        self.assertEqual(self.outbox(d), [])

    def test_interviewers_ten_offline(self):
        d = b.chrome(self)
        d.get(self.server.url + "/collect/collect")
        b.arrived(d, lambda url: "/login" in url)
        d.find_element(By.ID, "token").send_keys(self.team)
        d.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        b.arrived(d, lambda url: url.endswith("/collect/collect"))
        self.offline_ready(d)
        options = [o.get_attribute("value") for o in d.find_elements(By.CSS_SELECTOR, 'select[name="_agency"] option')]
        self.assertEqual(sorted(o for o in options if o), ["SNV", "STC"])
        self.stop_server()                                  # a day's work without a network
        d.get(f"http://127.0.0.1:{self.port}/collect/collect")
        WebDriverWait(d, WAIT).until(lambda x: x.find_elements(By.CSS_SELECTOR, ".bar progress"), "the form")
        want = []
        for k in range(10):
            agency, channel = ("SNV", "STC")[k % 2], ("interview", "phone")[k // 5]
            self.answer(d, agency, k, channel)
            self.waiting(d, k + 1)
            want.append(f"{channel}|{agency}")
        self.assertEqual(len(d.find_elements(By.CSS_SELECTOR, "#outbox li.waiting")), 10)
        self.shot(d, "5-collect-ten-waiting")
        self.assertEqual(len(self.outbox(d)), 10)
        self.assertIsNone(d.execute_script("return localStorage.getItem('sipas-draft:collect')"))   # no draft kept

        self.restart_server()                               # the session cookie still holds
        rows = h.wait_for(lambda: self.stored("collect"), WAIT, "the ten questionnaires stored", ok=lambda r: len(r) >= 10)
        self.waiting(d, 0, sent=10)
        self.assertEqual(len(d.find_elements(By.CSS_SELECTOR, "#outbox li.sent")), 10)
        self.shot(d, "6-collect-ten-sent")
        self.assertEqual(sorted(r.split("|", 1)[1] for r in rows), sorted(want))
        self.assertEqual(len({r.split("|")[0] for r in rows}), 10)
        self.assertEqual(self.outbox(d), [])                # a sent questionnaire is erased


if __name__ == "__main__":
    h.main()
