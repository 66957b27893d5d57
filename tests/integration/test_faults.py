#!/usr/bin/env python3
"""Faults under load (issue 7): `sipas serve` killed with SIGKILL in the middle of JSON
submissions and paper uploads, then restarted; PostgreSQL stopped and started under load.
Every acknowledged (2xx) response is stored exactly once, no upload is stored in part, and
nothing the server acknowledged is lost."""
import os
import signal
import threading
import time
import unittest
import urllib.parse
import uuid

import harness as h

h.require_db()

FORM = os.path.join(h.ROOT, "tests", "data", "upload", "form.json")
HEADER = "serial,agency,gender,used,online,age,S1_1,S1_2,note"
AGENCIES = ["SNV", "STC", "STP", "SYT"]
SURVEY = "faults"
SLOW = 4 if h.VALGRIND else 1


def response_body(cid, i):
    return {"id": cid, "agency": AGENCIES[i % len(AGENCIES)],
            "answers": {"gender": 1 + i % 2, "used": 1, "online": [1, 3], "age": 20 + i % 60,
                        "S1_1": 1 + i % 5, "S1_2": 1 + (i // 5) % 5, "note": f"góp ý {i}"}}


CSRF = "fa" * 32


def form_body(cid, i):
    """A web form post (double-submit CSRF: the same value as field and cookie)."""
    return urllib.parse.urlencode({"_csrf": CSRF, "_id": cid, "_agency": AGENCIES[i % len(AGENCIES)],
                                   "gender": str(1 + i % 2), "used": "1", "online": "2", "age": str(20 + i % 60),
                                   "S1_1": str(1 + i % 5), "note": f"ý kiến web {i}"})


FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": "sipas_csrf=" + CSRF}


def upload_csv(prefix, rows):
    lines = [HEADER]
    for i in range(rows):
        lines.append(f"{prefix}-{i:05d},{AGENCIES[i % 4]},{1 + i % 2},1,1;2,{20 + i % 60},{1 + i % 5},{1 + i % 3},")
    return ("\n".join(lines) + "\n").encode()


class Load:
    """Threads posting JSON responses and web forms (client ids) and uploads (serial prefixes) until stopped;
    records what was acknowledged (2xx) and every status seen. `before` carries what earlier
    loads against the same database sent and had acknowledged."""

    def __init__(self, server, admin, posters=5, uploaders=2, upload_rows=3000, survey=SURVEY, before=None, forms=2):
        self.server, self.admin, self.survey = server, admin, survey
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.acked = dict(before.acked) if before else {}       # client id -> body
        self.sent = dict(before.sent) if before else {}         # client id -> body (acknowledged or not)
        self.form_acked = dict(before.form_acked) if before else {}   # the same for web form posts
        self.form_sent = dict(before.form_sent) if before else {}
        self.uploads = dict(before.uploads) if before else {}   # prefix -> (upload id, rows), 201s
        self.upload_sent = set()
        self.statuses = {}
        self.errors = 0            # connection failures (the server is gone)
        self.upload_rows = upload_rows
        self.counter = len(self.sent)
        self.threads = [threading.Thread(target=self.post_loop, daemon=True) for _ in range(posters)]
        self.threads += [threading.Thread(target=self.upload_loop, args=(k,), daemon=True) for k in range(uploaders)]
        self.threads += [threading.Thread(target=self.form_loop, daemon=True) for _ in range(forms)]

    def start(self):
        for t in self.threads:
            t.start()

    def finish(self, timeout=120 * SLOW):     # an upload in flight may take 120 * SLOW
        self.stop.set()
        for t in self.threads:
            t.join(timeout)
            assert not t.is_alive(), "a load thread hangs"

    def note(self, status):
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1

    def post_loop(self):
        while not self.stop.is_set():
            cid = str(uuid.uuid4())
            with self.lock:
                self.counter += 1
                body = response_body(cid, self.counter)
                self.sent[cid] = body
            try:
                r = self.server.post(f"/api/v1/surveys/{self.survey}/responses", body=body, timeout=30 * SLOW)
            except OSError:
                with self.lock:
                    self.errors += 1
                time.sleep(0.05)
                continue
            self.note(r.status)
            if r.status in (200, 201):
                assert r.json()["id"] == cid, r.body
                with self.lock:
                    self.acked[cid] = body

    def form_loop(self):
        while not self.stop.is_set():
            cid = str(uuid.uuid4())
            with self.lock:
                self.counter += 1
                body = form_body(cid, self.counter)
                self.form_sent[cid] = body
            try:
                r = self.server.post(f"/s/{self.survey}", body=body, headers=FORM_HEADERS, timeout=30 * SLOW)
            except OSError:
                with self.lock:
                    self.errors += 1
                time.sleep(0.05)
                continue
            self.note(r.status)
            if r.status == 303:
                with self.lock:
                    self.form_acked[cid] = body

    def upload_loop(self, k):
        n = 0
        while not self.stop.is_set():
            n += 1
            prefix = f"U{k}x{n}x{uuid.uuid4().hex[:6]}"
            with self.lock:
                self.upload_sent.add(prefix)
            try:
                r = self.server.post(f"/api/v1/surveys/{self.survey}/uploads", body=upload_csv(prefix, self.upload_rows),
                                     headers={"Content-Type": "text/csv"}, token=self.admin, timeout=120 * SLOW)
            except OSError:
                with self.lock:
                    self.errors += 1
                time.sleep(0.05)
                continue
            self.note(r.status)
            if r.status == 201:
                with self.lock:
                    self.uploads[prefix] = (r.json()["upload"], r.json()["rows"])


class Faults(unittest.TestCase):
    def setup_db(self, url):
        h.run_sipas(["migrate"], url, check=True)
        h.run_sipas(["agencies", "import", os.path.join(h.ROOT, "sql/demo/agencies-lang-son.csv")], url, check=True)
        h.run_sipas(["forms", "load", FORM], url, check=True)
        h.run_sipas(["survey", "create", "--id", SURVEY, "--form", "upload-test", "--title", "Đợt thử lỗi"], url,
                    check=True)
        return h.run_sipas(["token", "create", "--role", "admin", "--name", "faults"], url, check=True).stdout.strip()

    def check_consistent(self, sql, load):
        """Every acknowledged response stored exactly once; every upload whole."""
        stored = {}
        for line in sql("SELECT client_id, count(*) FROM responses WHERE client_id IS NOT NULL"
                        " GROUP BY client_id").splitlines():
            cid, n = line.split("|")
            stored[cid] = int(n)
        lost = [c for c in list(load.acked) + list(load.form_acked) if stored.get(c) != 1]
        self.assertEqual(lost, [], f"{len(lost)} acknowledged responses not stored exactly once")
        self.assertTrue(set(stored) <= set(load.sent) | set(load.form_sent), "responses nobody sent")
        self.assertEqual(sql("SELECT count(*) FROM responses WHERE channel = 'web' AND client_id IS NULL"), "0")
        # what is stored is what was sent
        some = list(load.acked)[-50:]
        if some:
            rows = sql("SELECT client_id, answers->>'note' FROM responses WHERE client_id IN (" +
                       ",".join(f"'{c}'" for c in some) + ")").splitlines()
            self.assertEqual(len(rows), len(some))
            for line in rows:
                cid, note = line.split("|")
                self.assertEqual(note, load.acked[cid]["answers"]["note"])
        # uploads: whole or absent
        bad = sql("SELECT u.id, u.rows, count(r.id) FROM uploads u LEFT JOIN responses r ON r.upload_id = u.id"
                  " GROUP BY u.id, u.rows HAVING count(r.id) <> u.rows")
        self.assertEqual(bad, "", "uploads stored in part (id|rows|stored)")
        self.assertEqual(sql("SELECT count(*) FROM responses r WHERE upload_id IS NOT NULL AND NOT EXISTS"
                             " (SELECT 1 FROM uploads u WHERE u.id = r.upload_id)"), "0")
        self.assertEqual(sql("SELECT count(*) FROM responses WHERE serial IS NOT NULL AND upload_id IS NULL"), "0")
        for prefix, (uid, rows) in load.uploads.items():
            self.assertEqual(rows, load.upload_rows)
            got = sql(f"SELECT rows, (SELECT count(*) FROM responses r WHERE r.upload_id = u.id"
                      f" AND r.serial LIKE '{prefix}-%') FROM uploads u WHERE u.id = {uid}")
            self.assertEqual(got, f"{rows}|{rows}", f"acknowledged upload {prefix} ({uid})")
        # one file, one upload: the serials of a file never spread over two uploads
        mixed = sql("SELECT split_part(serial, '-', 1) p FROM responses WHERE serial IS NOT NULL"
                    " GROUP BY p HAVING count(DISTINCT upload_id) <> 1")
        self.assertEqual(mixed, "")

    def resend_unacknowledged(self, server, load):
        """A client whose request died resends it: stored once (201, or 200 if it had been)."""
        pending = [c for c in load.sent if c not in load.acked][:200]
        for cid in pending:
            r = server.post(f"/api/v1/surveys/{SURVEY}/responses", body=load.sent[cid])
            self.assertIn(r.status, (200, 201), r.body)
            load.acked[cid] = load.sent[cid]
        pending = [c for c in load.form_sent if c not in load.form_acked][:100]
        for cid in pending:
            r = server.post(f"/s/{SURVEY}", body=load.form_sent[cid], headers=FORM_HEADERS)
            self.assertEqual(r.status, 303, r.body[:300])
            load.form_acked[cid] = load.form_sent[cid]

    def test_sigkill_under_load(self):
        db = h.Database()
        server = None
        try:
            admin = self.setup_db(db.url)
            kills = cut = 0
            load = None
            for cycle in range(3):
                server = h.Server(db.url, env={"SIPAS_THREADS": "4"})
                self.assertEqual(server.get("/healthz").status, 200)
                load = Load(server, admin, before=load)
                load.start()
                # under way: new responses acknowledged and an upload stored, others in flight
                acked0, uploads0 = len(load.acked), len(load.uploads)
                h.wait_for(lambda: (len(load.acked) - acked0, len(load.uploads) - uploads0), 60,
                           "the load under way: 50 more responses acknowledged and an upload stored"
                           " (new acks, new uploads)", ok=lambda got: got[0] >= 50 and got[1] > 0)
                time.sleep(0.3 + 0.4 * cycle)      # not a wait: the kill lands at a different point each time
                server.proc.send_signal(signal.SIGKILL)
                server.proc.wait(timeout=30)
                kills += 1
                load.finish()
                cut += len(load.upload_sent - set(load.uploads))
                server.stop()
                server = None
                self.assertGreater(len(load.acked), acked0, "nothing acknowledged before the kill")
                # before the kill, only successes: a reply or a dead connection, never an error
                self.assertEqual(sorted(s for s in load.statuses if s not in (200, 201, 303)), [], load.statuses)
                self.check_consistent(db.sql, load)
                server = h.Server(db.url)
                self.check_consistent(db.sql, load)
                self.resend_unacknowledged(server, load)
                self.check_consistent(db.sql, load)
                # a whole upload sent again after the restart: 409 (same file), never stored twice
                for prefix in list(load.uploads)[-1:]:
                    r = server.post(f"/api/v1/surveys/{SURVEY}/uploads", body=upload_csv(prefix, load.upload_rows),
                                    headers={"Content-Type": "text/csv"}, token=admin, timeout=120 * SLOW)
                    self.assertEqual(r.status, 409, r.body)
                self.check_consistent(db.sql, load)
                self.assertEqual(server.stop(), 0, server.read_log())
                server = None
            print(f"\nsigkill: {kills} kills; {len(load.acked)} acknowledged API responses, {len(load.form_acked)}"
                  f" web form posts and {len(load.uploads)}"
                  f" uploads of {load.upload_rows} rows all stored exactly once; {cut} uploads cut off by a"
                  " kill, none stored in part", flush=True)
        finally:
            if server:
                server.stop()
            db.close()

    def test_postgres_restart_under_load(self):
        cluster = h.Cluster()
        server = None
        try:
            admin = self.setup_db(cluster.url)
            server = h.Server(cluster.url, env={"SIPAS_DB_WAIT_MS": "2000"})
            load = Load(server, admin, posters=6, uploaders=1, upload_rows=2000)
            load.start()
            h.wait_for(lambda: len(load.acked), 60, "50 responses acknowledged before the stop",
                       ok=lambda n: n >= 50)
            cluster.stop()
            acked_before = len(load.acked)
            # down: healthz and writes say 503, promptly, and the server stays up
            t0 = time.monotonic()
            r = server.get("/healthz", timeout=30 * SLOW)
            self.assertEqual(r.status, 503)
            self.assertLess(time.monotonic() - t0, 10 * SLOW)
            down = server.post(f"/api/v1/surveys/{SURVEY}/responses", body=response_body(str(uuid.uuid4()), 1))
            self.assertEqual(down.status, 503, down.body)
            self.assertEqual(down.json()["error"]["code"], "unavailable")
            time.sleep(1)                       # not a wait: a second of the database down, under load
            self.assertIsNone(server.proc.poll())
            cluster.start()
            h.wait_for(lambda: server.get("/healthz").status, 30,
                       "/healthz to say 200 once PostgreSQL is back", ok=lambda st: st == 200)
            # normal service after: new writes acknowledged
            n = len(load.acked)
            h.wait_for(lambda: len(load.acked), 30,
                       "50 more responses acknowledged after the restart (service after the restart)",
                       ok=lambda got: got >= n + 50)
            load.finish()
            self.assertIsNone(server.proc.poll())
            other = sorted(s for s in load.statuses if s not in (200, 201, 303, 503))
            self.assertEqual(other, [], f"statuses under the restart: {load.statuses}")
            self.assertEqual(load.errors, 0, "connections failed while the database restarted")
            self.check_consistent(lambda q: h.psql(cluster.url, q), load)
            print(f"\npostgres restart: {acked_before} acknowledged before the stop, {len(load.acked)} API and"
                  f" {len(load.form_acked)} web form posts in all,"
                  f" statuses {load.statuses}", flush=True)
            self.assertEqual(server.stop(), 0, server.read_log())
            server = None
        finally:
            if server:
                server.stop()
            cluster.close()


if __name__ == "__main__":
    h.main()
