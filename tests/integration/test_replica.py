#!/usr/bin/env python3
"""More than one process (docs/api.md, "More than one server process"): a real hot standby made
with pg_basebackup -R from a private primary cluster, read through SIPAS_READ_DATABASE_URL; and
several `sipas serve` on one database under load, one of them killed with SIGKILL.

- Through the replica, the analysts' routes answer what the replica holds: while its replay is
  paused they keep the old figures (no inline fold on a read-only server), and once it has
  replayed the primary's WAL (pg_last_wal_replay_lsn() >= the primary's LSN) estimates, exports,
  comparisons and results equal a server reading the primary. /healthz reports replica_lag_s.
- The replica stopped: reads answer from the primary (with the inline fold); started again:
  reads go back to it.
- WAL archiving: a base backup recovered from the archive up to a named restore point holds
  what was stored before it, and no more.
- Three nodes on one database, posts spread over them and analysts reading on all of them, one
  node killed: every acknowledged response is stored exactly once and the estimates count each
  once. Skipped (77) only when pg_basebackup is absent."""
import http.client
import os
import signal
import subprocess
import threading
import unittest
import uuid

import harness as h

h.require_db()

BASEBACKUP = os.path.join(h.PG_BIN, "pg_basebackup")
if not os.path.exists(BASEBACKUP):
    print(f"skipped: {BASEBACKUP} is absent (postgresql-15)")
    raise SystemExit(77)

FORM = os.path.join(h.ROOT, "tests", "data", "upload", "form.json")
AGENCIES = ["SNV", "STC", "STP", "SYT"]
SURVEY = "nhieu-nut"
OTHER = "nhieu-nut-truoc"
SLOW = 4 if h.VALGRIND else 1


def response_body(cid, i):
    return {"id": cid, "agency": AGENCIES[i % len(AGENCIES)],
            "answers": {"gender": 1 + i % 2, "used": 1, "online": [1, 3], "age": 20 + i % 60,
                        "S1_1": 1 + (i * 7) % 5, "S1_2": 1 + (i // 5) % 5, "note": f"ý kiến {i}"}}


def setup_round(url):
    """Migrates url, loads the demo agencies, the form and two rounds; returns (admin, analyst)."""
    h.run_sipas(["migrate"], url, check=True)
    h.run_sipas(["agencies", "import", os.path.join(h.ROOT, "sql/demo/agencies-lang-son.csv")], url, check=True)
    h.run_sipas(["forms", "load", FORM], url, check=True)
    for sid in (OTHER, SURVEY):
        h.run_sipas(["survey", "create", "--id", sid, "--form", "upload-test", "--title", "Đợt nhiều máy chủ"], url,
                    check=True)
    admin = h.run_sipas(["token", "create", "--role", "admin"], url, check=True).stdout.strip()
    analyst = h.run_sipas(["token", "create", "--role", "analyst"], url, check=True).stdout.strip()
    return admin, analyst


def post_many(server, n, start, survey=SURVEY):
    for i in range(start, start + n):
        r = server.post(f"/api/v1/surveys/{survey}/responses", body=response_body(str(uuid.uuid4()), i))
        assert r.status == 201, r.body


class Standby:
    """A hot standby of cluster, made with pg_basebackup -R into the cluster's folder."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.data = os.path.join(cluster.dir, "standby")
        self.log = os.path.join(cluster.dir, "standby.log")
        h.as_pg([BASEBACKUP, "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", "-D", self.data,
                 "-R", "-X", "stream", "--checkpoint=fast"])
        h.start_on_free_port(self, lambda e: f"the standby did not start: {e.stderr}")
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/sipas"

    def start(self):
        h.as_pg([f"{h.PG_BIN}/pg_ctl", "-D", self.data, "-l", self.log, "-w", "-o",
                 f"-p {self.port} -k {self.cluster.dir} -c listen_addresses=127.0.0.1 -c hot_standby=on", "start"])

    def stop(self):
        h.as_pg([f"{h.PG_BIN}/pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop"])

    def sql(self, q):
        return h.psql(self.url, q)

    def wait_replayed(self, timeout=60):
        """Waits until the standby has replayed everything the primary has written so far."""
        lsn = h.psql(self.cluster.url, "SELECT pg_current_wal_lsn()")
        h.wait_for(lambda: self.sql(f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn"), timeout,
                   f"the standby to replay the primary's WAL up to {lsn}", ok=lambda v: v == "t")

    def close(self):
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass


class Replica(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cluster = h.Cluster()
        cls.standby = cls.reader = cls.primary = None
        try:
            cls.admin, cls.analyst = setup_round(cls.cluster.url)
            # the replica is read with a role that may only read (and is no superuser)
            h.psql(cls.cluster.admin_url, "CREATE ROLE reader LOGIN IN ROLE pg_read_all_data")
            cls.standby = Standby(cls.cluster)
            assert cls.standby.sql("SELECT pg_is_in_recovery()") == "t"
            # the reader reads the replica; the reference server reads the primary alone
            cls.reader = h.Server(cls.cluster.url, env={"SIPAS_READ_DATABASE_URL":
                                                        cls.standby.url.replace("postgres@", "reader@")})
            cls.primary = h.Server(cls.cluster.url)
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        status = {}
        for name in ("reader", "primary"):
            s = getattr(cls, name)
            if s:
                status[name] = (s.stop(), s.read_log())
        if cls.standby:
            cls.standby.close()
        cls.cluster.close()
        for name, (st, log) in status.items():
            assert st == 0, f"{name}: sipas serve exited {st}\n{log}"

    def get(self, server, path):
        r = server.get(path, token=self.analyst)
        self.assertEqual(r.status, 200, r.body[:500])
        return r

    def estimates(self, server, survey=SURVEY):
        return self.get(server, f"/api/v1/surveys/{survey}/estimates?by=agency").json()

    def test_1_reads_on_the_replica(self):
        post_many(self.primary, 40, 0, OTHER)
        post_many(self.primary, 60, 0)
        ref = self.estimates(self.primary)            # folds on the primary
        self.estimates(self.primary, OTHER)
        self.assertEqual(ref["groups"][0]["n"], 60)
        self.standby.wait_replayed()
        self.assertEqual(self.estimates(self.reader), ref)
        # paused replay: new responses, folded on the primary, are not yet seen through the replica
        self.standby.sql("SELECT pg_wal_replay_pause()")
        try:
            post_many(self.primary, 30, 60)
            new = self.estimates(self.primary)
            self.assertEqual(new["groups"][0]["n"], 90)
            self.assertEqual(self.estimates(self.reader), ref, "read the replica as it is, without folding")
            lag = self.reader.get("/healthz").json()
            self.assertEqual(sorted(lag), ["replica_lag_s", "status"])
            self.assertEqual(lag["status"], "ok")
            self.assertGreater(lag["replica_lag_s"], 0, "WAL received and not replayed: a lag")
        finally:
            self.standby.sql("SELECT pg_wal_replay_resume()")
        self.standby.wait_replayed()
        self.assertEqual(self.estimates(self.reader), new)
        h.wait_for(lambda: self.reader.get("/healthz").json(), 30, "/healthz to report a replica that caught up",
                   ok=lambda j: j == {"status": "ok", "replica_lag_s": 0})
        self.assertEqual(self.primary.get("/healthz").json(), {"status": "ok"}, "no replica: today's reply")
        # every analysts' read route through the replica equals the primary's
        audits = int(h.psql(self.cluster.url, "SELECT count(*) FROM audit_log"))
        for path in (f"/api/v1/surveys/{SURVEY}/responses.csv", f"/api/v1/surveys/{SURVEY}/estimates?by=agency&format=csv",
                     f"/api/v1/surveys/{SURVEY}/compare?against={OTHER}&by=agency",
                     f"/api/v1/surveys/{SURVEY}/estimates?by=agency&by=gender"):
            self.assertEqual(self.get(self.reader, path).body, self.get(self.primary, path).body, path)
        for path in (f"/dashboard/{SURVEY}", f"/api/v1/surveys/{SURVEY}/report.pdf",
                     f"/api/v1/surveys/{SURVEY}/responses.xlsx", f"/api/v1/surveys/{SURVEY}/responses.sav"):
            self.get(self.reader, path)
        # exports through the replica are audited on the primary: responses.csv and estimates.csv by
        # each server, then responses.xlsx and .sav by the reader
        self.assertEqual(int(h.psql(self.cluster.url, "SELECT count(*) FROM audit_log")), audits + 6)
        # the reader's requests used the replica: its sessions are there
        self.assertNotEqual(self.standby.sql("SELECT count(*) FROM pg_stat_activity WHERE datname = 'sipas'"
                                             " AND usename = 'reader'"), "0")

    def test_2_replica_down_then_back(self):
        self.standby.stop()
        try:
            before = self.estimates(self.primary)["groups"][0]["n"]
            post_many(self.primary, 20, 500)
            # down: the reader folds and reads on the primary, and says so in /healthz
            got = self.estimates(self.reader)
            self.assertEqual(got["groups"][0]["n"], before + 20)
            self.assertEqual(got, self.estimates(self.primary))
            self.assertEqual(self.reader.get("/healthz").json(),
                             {"status": "ok", "replica_lag_s": None, "replica": "unreachable"})
            self.reader.wait_log(r"replica: unreachable")
        finally:
            self.standby.start()
        # back: once retried, reads go to it again
        h.wait_for(lambda: self.reader.get("/healthz").json(), 30, "/healthz to report the replica's lag again",
                   ok=lambda j: isinstance(j.get("replica_lag_s"), (int, float)))
        self.reader.wait_log(r"replica: reachable again")
        self.standby.wait_replayed()
        self.assertEqual(self.estimates(self.reader), self.estimates(self.primary))
        self.assertNotEqual(self.standby.sql("SELECT count(*) FROM pg_stat_activity WHERE datname = 'sipas'"
                                             " AND usename = 'reader'"), "0")


class PointInTime(unittest.TestCase):
    """WAL archiving and point-in-time recovery (docs/operations.md, Backups): a base backup, more
    responses, a named restore point, more responses; the base backup recovered from the archive
    up to the restore point holds exactly what was stored before it, and gives its estimates."""

    def test_recover_to_a_restore_point(self):
        cluster = h.Cluster()
        server = restored = None
        try:
            archive = os.path.join(cluster.dir, "archive")
            h.as_pg(["mkdir", archive])
            h.psql(cluster.admin_url, "ALTER SYSTEM SET archive_mode = on")
            h.psql(cluster.admin_url, f"ALTER SYSTEM SET archive_command = 'test ! -f {archive}/%f && cp %p {archive}/%f'")
            cluster.stop()
            cluster.start()
            admin, analyst = setup_round(cluster.url)
            server = h.Server(cluster.url)
            post_many(server, 30, 0)
            base = os.path.join(cluster.dir, "base")
            h.as_pg([BASEBACKUP, "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", "-D", base,
                     "-X", "stream", "--checkpoint=fast"])
            post_many(server, 25, 30)
            want = server.get(f"/api/v1/surveys/{SURVEY}/estimates?by=agency", token=analyst).json()
            self.assertEqual(want["groups"][0]["n"], 55)
            h.psql(cluster.admin_url, "SELECT pg_create_restore_point('before_the_mistake')")
            post_many(server, 40, 55)                  # what the recovery must leave out
            # the WAL of the restore point is archived once its segment is switched out
            segment = h.psql(cluster.admin_url, "SELECT pg_walfile_name(pg_current_wal_lsn())")
            h.psql(cluster.admin_url, "SELECT pg_switch_wal()")
            h.wait_for(lambda: os.path.exists(os.path.join(archive, segment)), 60,
                       f"WAL segment {segment} in the archive")
            with open(os.path.join(base, "postgresql.auto.conf"), "a", encoding="utf-8") as f:
                f.write(f"restore_command = 'cp {archive}/%f %p'\nrecovery_target_name = 'before_the_mistake'\n"
                        "recovery_target_action = 'promote'\narchive_mode = off\n")
            h.as_pg(["touch", os.path.join(base, "recovery.signal")])
            port = h.free_port()
            h.as_pg([f"{h.PG_BIN}/pg_ctl", "-D", base, "-l", os.path.join(cluster.dir, "pitr.log"), "-w", "-o",
                     f"-p {port} -k {cluster.dir} -c listen_addresses=127.0.0.1", "start"])
            restored = f"postgresql://postgres@127.0.0.1:{port}/sipas"
            h.wait_for(lambda: h.psql(restored, "SELECT pg_is_in_recovery()"), 60,
                       "the recovered cluster to reach the restore point and open", ok=lambda v: v == "f")
            self.assertEqual(h.psql(restored, "SELECT count(*) FROM responses"), "55")
            again = h.Server(restored)
            try:
                self.assertEqual(again.get(f"/api/v1/surveys/{SURVEY}/estimates?by=agency", token=analyst).json(), want)
                self.assertEqual(again.post(f"/api/v1/surveys/{SURVEY}/responses",
                                            body=response_body(str(uuid.uuid4()), 99)).status, 201)
            finally:
                self.assertEqual(again.stop(), 0, again.read_log())
            self.assertEqual(server.stop(), 0, server.read_log())
            server = None
        finally:
            if server:
                server.stop()
            if restored:
                try:
                    h.as_pg([f"{h.PG_BIN}/pg_ctl", "-D", os.path.join(cluster.dir, "base"), "-m", "fast", "-w", "stop"])
                except subprocess.CalledProcessError:
                    pass
            cluster.close()


class Nodes(unittest.TestCase):
    """Three `sipas serve` on one database, as behind a proxy that resends a request whose node died."""

    def test_nodes_share_the_load_and_one_dies(self):
        db = h.Database()
        nodes = []
        try:
            admin, analyst = setup_round(db.url)
            nodes = [h.Server(db.url, env={"SIPAS_THREADS": "4"}) for _ in range(3)]
            alive = list(nodes)
            lock = threading.Lock()
            stop = threading.Event()
            acked, sent, statuses, read_errors = {}, {}, {}, []
            counter = [0]

            def post_loop(k):
                while not stop.is_set():
                    cid = str(uuid.uuid4())
                    with lock:
                        counter[0] += 1
                        i = counter[0]
                        sent[cid] = body = response_body(cid, i)
                    for attempt in range(6):      # a proxy's retry on another node
                        with lock:
                            node = alive[(i + attempt) % len(alive)]
                        try:
                            r = node.post(f"/api/v1/surveys/{SURVEY}/responses", body=body, timeout=30 * SLOW)
                        except (OSError, http.client.HTTPException):
                            continue
                        with lock:
                            statuses[r.status] = statuses.get(r.status, 0) + 1
                            if r.status in (200, 201):
                                acked[cid] = r.status
                        break

            def read_loop(k):
                while not stop.is_set():
                    with lock:
                        node = alive[k % len(alive)]
                    try:
                        r = node.get(f"/api/v1/surveys/{SURVEY}/estimates?by=agency&lonely_psu=adjust", token=analyst,
                                     timeout=30 * SLOW)
                    except (OSError, http.client.HTTPException):
                        continue
                    if r.status != 200:
                        read_errors.append((r.status, r.body[:200]))

            threads = [threading.Thread(target=post_loop, args=(k,), daemon=True) for k in range(6)]
            threads += [threading.Thread(target=read_loop, args=(k,), daemon=True) for k in range(3)]
            for t in threads:
                t.start()
            h.wait_for(lambda: len(acked), 60 * SLOW, "200 responses acknowledged by the three nodes",
                       ok=lambda n: n >= 200)
            victim = nodes[0]
            with lock:
                alive.remove(victim)
            victim.proc.send_signal(signal.SIGKILL)
            victim.proc.wait(timeout=30)
            victim.stop()                         # closes its pipe
            n0 = len(acked)
            h.wait_for(lambda: len(acked), 60 * SLOW, "200 more responses acknowledged after the kill",
                       ok=lambda n: n >= n0 + 200)
            stop.set()
            for t in threads:
                t.join(60 * SLOW)
                self.assertFalse(t.is_alive(), "a load thread hangs")
            self.assertEqual(read_errors, [])
            self.assertEqual(set(statuses) - {200, 201}, set(), statuses)
            # what a client never saw acknowledged it sends again: stored once
            for cid in [c for c in sent if c not in acked]:
                r = alive[0].post(f"/api/v1/surveys/{SURVEY}/responses", body=sent[cid])
                self.assertIn(r.status, (200, 201), r.body)
                acked[cid] = r.status
            stored = dict(line.split("|") for line in db.sql(
                "SELECT client_id, count(*) FROM responses WHERE client_id IS NOT NULL GROUP BY client_id").splitlines())
            self.assertEqual(set(stored), set(acked), "stored = acknowledged")
            self.assertEqual([c for c, n in stored.items() if n != "1"], [], "stored more than once")
            # each node's estimates count each response once (their folds ran one at a time)
            for node in alive:
                est = node.get(f"/api/v1/surveys/{SURVEY}/estimates?by=agency", token=analyst).json()
                self.assertEqual(est["groups"][0]["n"], len(acked))
                per = {g["by"]["agency"]: g["n"] for g in est["groups"][1:]}
                want = dict(line.split("|") for line in db.sql(
                    "SELECT a.code, count(*) FROM responses r JOIN agencies a ON a.id = r.agency_id"
                    " GROUP BY a.code").splitlines())
                self.assertEqual(per, {k: int(v) for k, v in want.items()})
            print(f"\nnodes: 3 nodes, one killed; {len(acked)} responses acknowledged, each stored and counted once;"
                  f" statuses {statuses}", flush=True)
            for node in alive:
                self.assertEqual(node.stop(), 0, node.read_log())
            nodes = []
        finally:
            for node in nodes:
                node.stop()
            db.close()


if __name__ == "__main__":
    h.main()
