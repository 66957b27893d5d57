#!/usr/bin/env python3
"""Citizens first: analysts' requests run on their own bounded queue, worker threads and
database connections, so that with every analyst worker stuck (held deterministically by a
lock the test takes on audit_log, which only analysts' exports write) and the analysts' queue
full, a citizen's JSON post and the web form still succeed on a server with ONE HTTP thread and
a citizens' pool of one connection; the next analyst request gets 503 with Retry-After at once;
and once the lock goes, every parked analyst request is answered. Group commit: many concurrent
posts, replays of the same client id among them, store exactly one row per id and lose nothing
acknowledged. No timing is asserted: every wait is on a condition with a deadline."""
import concurrent.futures
import os
import subprocess
import threading
import unittest
import uuid

import harness as h

h.require_db()

ALL_TYPES = os.path.join(h.ROOT, "tests", "data", "forms", "valid", "all-types", "form.json")
VALID = {"A.used": 1, "A.channels": [2, 1], "A.age": 35, "A.note": "Cán bộ tận tình", "B1": 2, "B2": 5, "P1": 1}
POST = "/api/v1/surveys/cit/responses"
EXPORT = "/api/v1/surveys/cit/responses.csv"
WORKERS, QUEUE = 2, 2
LOCK_WAITERS = ("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO audit_log%'")


class CitizensFirst(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = h.Database()
        h.run_sipas(["agencies", "import", os.path.join(h.ROOT, "sql/demo/agencies-lang-son.csv")],
                    cls.db.url, check=True)
        h.run_sipas(["forms", "load", ALL_TYPES], cls.db.url, check=True)
        h.run_sipas(["survey", "create", "--id", "cit", "--form", "all-types.v2", "--title", "Công dân"],
                    cls.db.url, check=True)
        cls.analyst = h.run_sipas(["token", "create", "--role", "analyst", "--name", "cit"], cls.db.url,
                                  check=True).stdout.strip()
        # one HTTP thread and one citizens' connection: an analyst holding either would stop citizens
        cls.server = h.Server(cls.db.url, env={
            "SIPAS_THREADS": "1", "SIPAS_DB_POOL": "1", "SIPAS_WRITERS": "2", "SIPAS_LOG_LEVEL": "debug",
            "SIPAS_ANALYST_WORKERS": str(WORKERS), "SIPAS_ANALYST_QUEUE": str(QUEUE),
            "SIPAS_ANALYST_DB_POOL": str(WORKERS)})

    @classmethod
    def tearDownClass(cls):
        status = cls.server.stop()
        log = cls.server.read_log()
        cls.db.close()
        assert status == 0, f"sipas serve exited {status}\n{log}"

    def post(self, cid, answers=VALID):
        return self.server.post(POST, {"id": cid, "agency": "SNV", "answers": answers})

    def test_citizens_pass_analysts_stuck_and_queue_full(self):
        ok = self.post(str(uuid.uuid4()))
        self.assertEqual(ok.status, 201, ok.body)
        holder = subprocess.Popen(["psql", "-qX", "-v", "ON_ERROR_STOP=1", self.db.url], stdin=subprocess.PIPE,
                                  stdout=subprocess.DEVNULL, text=True)
        pool = concurrent.futures.ThreadPoolExecutor(WORKERS + QUEUE)
        try:
            holder.stdin.write("BEGIN; LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE;\n")
            holder.stdin.flush()
            h.wait_for(lambda: self.db.sql("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
                                           " WHERE c.relname = 'audit_log' AND l.mode = 'AccessExclusiveLock'"
                                           " AND l.granted"), 30, "the test's lock on audit_log",
                       ok=lambda n: n == "1")
            stuck = [pool.submit(self.server.get, EXPORT, token=self.analyst, timeout=120)
                     for _ in range(WORKERS)]
            h.wait_for(lambda: self.db.sql(LOCK_WAITERS), 30, "every analyst worker waiting on the lock",
                       ok=lambda n: n == str(WORKERS))
            queued = [pool.submit(self.server.get, EXPORT, token=self.analyst, timeout=120)
                      for _ in range(QUEUE)]
            self.server.wait_log(rf"analysts' queue: {QUEUE} waiting, {WORKERS} running", 30)

            busy = self.server.get(EXPORT, token=self.analyst)
            self.assertEqual(busy.status, 503, busy.body)
            self.assertEqual(busy.json()["error"]["code"], "busy")
            self.assertTrue(busy.headers.get("Retry-After", "").isdigit(), busy.headers)

            # citizens: a JSON post, a replay of it, and the web form, on the one HTTP thread
            cid = str(uuid.uuid4())
            r = self.post(cid)
            self.assertEqual(r.status, 201, r.body)
            self.assertEqual(self.post(cid).status, 200)
            page = self.server.get("/s/cit")
            self.assertEqual(page.status, 200, page.body[:300])
            self.assertIn("Công dân", page.text)
            self.assertEqual(self.db.sql(f"SELECT count(*) FROM responses WHERE client_id = '{cid}'"), "1")
            # still stuck: the citizens went past them, not after them
            self.assertFalse(any(f.done() for f in stuck + queued))
        finally:
            holder.stdin.write("COMMIT;\n")
            holder.stdin.close()
            holder.wait(60)
        for f in stuck + queued:
            r = f.result(timeout=120 * h.SLOW)
            self.assertEqual(r.status, 200, r.body[:300])
            self.assertIn("agency", r.text.splitlines()[0])
        pool.shutdown()
        # the analysts' queue took new work again
        again = self.server.get(EXPORT, token=self.analyst)
        self.assertEqual(again.status, 200, again.body[:300])

    def hold_workers(self, server=None):
        """Takes the lock on audit_log and sends WORKERS exports (to server, else the class's)
        that wait on it; returns the psql holding the lock and the exports' futures."""
        server = server or self.server
        holder = subprocess.Popen(["psql", "-qX", "-v", "ON_ERROR_STOP=1", self.db.url], stdin=subprocess.PIPE,
                                  stdout=subprocess.DEVNULL, text=True)
        holder.stdin.write("BEGIN; LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE;\n")
        holder.stdin.flush()
        h.wait_for(lambda: self.db.sql("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
                                       " WHERE c.relname = 'audit_log' AND l.mode = 'AccessExclusiveLock'"
                                       " AND l.granted"), 30, "the test's lock on audit_log", ok=lambda n: n == "1")
        stuck = [self.pool.submit(server.get, EXPORT, token=self.analyst, timeout=120) for _ in range(WORKERS)]
        h.wait_for(lambda: self.db.sql(LOCK_WAITERS), 30, "every analyst worker waiting on the lock",
                   ok=lambda n: n == str(WORKERS))
        return holder, stuck

    @staticmethod
    def release(holder):
        holder.stdin.write("COMMIT;\n")
        holder.stdin.close()
        holder.wait(60)

    def wait_queued(self, n_before):
        """Waits for one more log line saying QUEUE requests wait behind WORKERS running ones."""
        rx = f"analysts' queue: {QUEUE} waiting, {WORKERS} running"
        h.wait_for(lambda: self.server.read_log().count(rx), 30, rx, ok=lambda n: n > n_before)

    def test_same_question_one_computation(self):
        """Requests waiting with the same question share one computation and get the same reply
        as a request computed alone; CSV replies are audited per request, so never shared."""
        for _ in range(3):
            self.assertEqual(self.post(str(uuid.uuid4())).status, 201)
        est = "/api/v1/surveys/cit/estimates?by=agency"
        self.pool = concurrent.futures.ThreadPoolExecutor(WORKERS + QUEUE)
        rx_queued = f"analysts' queue: {QUEUE} waiting, {WORKERS} running"
        shared_before = self.server.read_log().count("one computation answered 1 more request(s)")
        n = self.server.read_log().count(rx_queued)
        holder, stuck = self.hold_workers()
        try:
            same = [self.pool.submit(self.server.get, est, token=self.analyst, timeout=120) for _ in range(QUEUE)]
            self.wait_queued(n)
        finally:
            self.release(holder)
        replies = [f.result(timeout=120 * h.SLOW) for f in stuck + same]
        self.assertEqual([r.status for r in replies], [200] * (WORKERS + QUEUE), [r.body[:200] for r in replies])
        h.wait_for(lambda: self.server.read_log().count("one computation answered 1 more request(s)"), 30,
                   "the log of the shared computation", ok=lambda c: c > shared_before)
        alone = self.server.get(est, token=self.analyst)
        self.assertEqual(alone.status, 200, alone.body[:300])
        self.assertEqual(replies[-1].body, replies[-2].body)
        self.assertEqual(replies[-1].body, alone.body)

        audits = int(self.db.sql("SELECT count(*) FROM audit_log WHERE detail->>'export' = 'estimates'"))
        n = self.server.read_log().count(rx_queued)
        holder, stuck = self.hold_workers()
        try:
            csvs = [self.pool.submit(self.server.get, est + "&format=csv", token=self.analyst, timeout=120)
                    for _ in range(QUEUE)]
            self.wait_queued(n)
        finally:
            self.release(holder)
        for f in stuck + csvs:
            r = f.result(timeout=120 * h.SLOW)
            self.assertEqual(r.status, 200, r.body[:300])
        self.assertEqual(int(self.db.sql("SELECT count(*) FROM audit_log WHERE detail->>'export' = 'estimates'")),
                         audits + QUEUE)
        self.pool.shutdown()

    def test_recent_reply_under_load(self):
        """Under load (requests already waiting in the analysts' queue) a question whose last
        answer was computed less than SIPAS_ANALYST_STALE_MS ago gets that answer at once, from
        the HTTP thread, with every worker stuck; once the load is over, a lone request waits
        for nothing and is exact."""
        srv = h.Server(self.db.url, env={
            "SIPAS_ANALYST_WORKERS": str(WORKERS), "SIPAS_ANALYST_QUEUE": str(QUEUE), "SIPAS_LOG_LEVEL": "debug",
            "SIPAS_ANALYST_STALE_MS": "600000"})
        self.pool = concurrent.futures.ThreadPoolExecutor(WORKERS + 1)
        est = "/api/v1/surveys/cit/estimates?by=agency"
        try:
            first = srv.get(est, token=self.analyst)
            self.assertEqual(first.status, 200, first.body[:300])
            self.assertEqual(self.post(str(uuid.uuid4())).status, 201)
            holder, stuck = self.hold_workers(srv)
            try:
                waiting = self.pool.submit(srv.get, EXPORT, token=self.analyst, timeout=120)
                h.wait_for(lambda: srv.read_log().count(f"analysts' queue: 1 waiting, {WORKERS} running"), 30,
                           "a request waiting behind the stuck workers", ok=lambda n: n > 0)
                again = srv.get(est, token=self.analyst, timeout=60)     # answered with the workers stuck
                self.assertEqual(again.status, 200, again.body[:300])
                self.assertEqual(again.body, first.body, "the answer computed before, as it was")
            finally:
                self.release(holder)
            for f in stuck + [waiting]:
                self.assertEqual(f.result(timeout=120 * h.SLOW).status, 200)
            # alone once the load is over (a moment after it: ANALYST_QUEUE_BUSY_MS): folds, and
            # counts the post, though the last answer is far younger than the stale bound
            def lone():
                r = srv.get(est, token=self.analyst)
                self.assertEqual(r.status, 200, r.body[:300])
                return r.json()["groups"][0]["n"]
            h.wait_for(lone, 30, "a lone request to count the post",
                       ok=lambda n: n == first.json()["groups"][0]["n"] + 1)
        finally:
            self.pool.shutdown()
            self.assertEqual(srv.stop(), 0, srv.read_log())

    def test_group_commit_loses_nothing(self):
        ids = [str(uuid.uuid4()) for _ in range(150)]
        sends = ids + ids[:50] + ids[100:120]      # replays of the same client ids, interleaved
        before = int(self.db.sql("SELECT count(*) FROM responses"))
        lock = threading.Lock()
        statuses = {}

        def send(i, cid):
            r = self.post(cid)
            with lock:
                statuses.setdefault(cid, []).append(r.status)
            return r.status

        with concurrent.futures.ThreadPoolExecutor(32) as pool:
            got = list(pool.map(lambda a: send(*a), enumerate(sends)))
        self.assertTrue(all(s in (200, 201) for s in got), sorted(set(got)))
        for cid in ids:    # exactly one 201 per id; every other send of it a 200 replay
            self.assertEqual(statuses[cid].count(201), 1, (cid, statuses[cid]))
        self.assertEqual(int(self.db.sql("SELECT count(*) FROM responses")) - before, len(ids))
        stored = set(self.db.sql("SELECT client_id FROM responses WHERE client_id IS NOT NULL").split())
        self.assertTrue(set(ids) <= stored)


if __name__ == "__main__":
    unittest.main(verbosity=2)
