#!/usr/bin/env python3
"""The foundation end to end: health, migrations, tokens and roles, CLI errors, and a
PostgreSQL restart under the running server."""
import glob
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

import harness as h

h.require_db()


class Foundation(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = h.Database()
        cls.server = h.Server(cls.db.url)
        h.run_sipas(["agencies", "import", os.path.join(h.ROOT, "sql/demo/agencies-lang-son.csv")],
                    cls.db.url, check=True)

    @classmethod
    def tearDownClass(cls):
        status = cls.server.stop()
        log = cls.server.read_log()
        cls.db.close()
        assert status == 0, f"sipas serve exited {status}\n{log}"

    def test_health(self):
        r = self.server.get("/healthz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json(), {"status": "ok"})
        self.assertEqual(r.headers["X-Content-Type-Options"], "nosniff")
        self.assertIn("frame-ancestors 'none'", r.headers["Content-Security-Policy"])

    def test_unknown_path_and_method(self):
        r = self.server.get("/nope")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json()["error"]["code"], "not_found")
        r = self.server.post("/healthz", body="x", headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status, 405)

    def token(self, *args):
        p = h.run_sipas(["token", "create", *args], self.db.url, check=True)
        tok = p.stdout.strip()
        self.assertRegex(tok, r"^sipas_\d+_[0-9a-f]{64}$")
        return tok

    def test_token_roles(self):
        admin = self.token("--role", "admin", "--name", "Quản trị")
        team = self.token("--role", "team", "--agency", "SNV", "--agency", "X.CAOLOC")
        analyst = self.token("--role", "analyst")
        for tok, role in ((admin, "admin"), (team, "team"), (analyst, "analyst")):
            r = self.server.get("/api/v1/me", token=tok)
            self.assertEqual(r.status, 200, r.body)
            self.assertEqual(r.json()["role"], role)
        self.assertEqual(self.server.get("/api/v1/me", token=admin).json()["name"], "Quản trị")
        self.assertEqual(sorted(self.server.get("/api/v1/me", token=team).json()["agencies"]),
                         ["SNV", "X.CAOLOC"])
        # no token, a malformed one, a forged secret
        self.assertEqual(self.server.get("/api/v1/me").status, 401)
        self.assertEqual(self.server.get("/api/v1/me", token="nonsense").status, 401)
        forged = admin[:-1] + ("0" if admin[-1] != "0" else "1")
        self.assertEqual(self.server.get("/api/v1/me", token=forged).status, 401)
        # only the hash is stored
        secret = admin.split("_")[2]
        self.assertEqual(self.db.sql(f"SELECT count(*) FROM tokens WHERE encode(secret_hash, 'hex') = '{secret}'"), "0")
        self.assertEqual(self.db.sql("SELECT count(*) FROM tokens WHERE encode(secret_hash, 'hex') = "
                                     f"encode(sha256('{secret}'::bytea), 'hex')"), "1")
        # revocation, audited
        tid = admin.split("_")[1]
        p = h.run_sipas(["token", "revoke", tid], self.db.url)
        self.assertEqual(p.returncode, 0, p.stderr)
        # the server hears of it a moment after the commit (NOTIFY sipas_rounds)
        h.wait_for(lambda: self.server.get("/api/v1/me", token=admin).status, 30, "the revoked token refused",
                   ok=lambda st: st == 401)
        self.assertEqual(self.server.get("/api/v1/me", token=admin).status, 401)
        self.assertEqual(self.db.sql("SELECT count(*) FROM audit_log WHERE action = 'token.revoke'"), "1")
        self.assertEqual(h.run_sipas(["token", "revoke", tid], self.db.url).returncode, 2)
        # a token the server keeps costs no query: with the table renamed (DDL announces
        # nothing) it still answers; a change by hand drops what the server keeps, and a
        # revocation by hand takes effect at once
        aid = analyst.split("_")[1]
        self.assertEqual(self.server.get("/api/v1/me", token=analyst).status, 200)
        self.db.sql("ALTER TABLE tokens RENAME TO tokens_hidden")
        try:
            self.assertEqual(self.server.get("/api/v1/me", token=analyst).status, 200)
            self.db.sql(f"UPDATE tokens_hidden SET name = name WHERE id = {aid}")
            h.wait_for(lambda: self.server.get("/api/v1/me", token=analyst).status, 30,
                       "the change to drop the kept token", ok=lambda st: st >= 500)
        finally:
            self.db.sql("ALTER TABLE tokens_hidden RENAME TO tokens")
        self.assertEqual(self.server.get("/api/v1/me", token=analyst).status, 200)
        self.db.sql(f"UPDATE tokens SET revoked_at = now() WHERE id = {aid}")
        h.wait_for(lambda: self.server.get("/api/v1/me", token=analyst).status, 30, "the token revoked by hand refused",
                   ok=lambda st: st == 401)
        # the log has the request lines and never a token (lines are written once a request is
        # done, on the server's thread: wait for every request's line before reading it whole)
        self.server.wait_logged()
        log = self.server.read_log()
        self.assertIn("GET /api/v1/me 401", log)
        self.assertNotIn(secret, log)
        self.assertNotIn(team.split("_")[2], log)

    def test_token_cli_errors(self):
        p = h.run_sipas(["token", "create", "--role", "root"], self.db.url)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--role", p.stderr)
        p = h.run_sipas(["token", "create", "--role", "team", "--agency", "NOPE"], self.db.url)
        self.assertEqual(p.returncode, 2)
        self.assertIn("NOPE", p.stderr)
        p = h.run_sipas(["token", "create", "--role", "team"], self.db.url)
        self.assertEqual(p.returncode, 2)
        p = h.run_sipas(["token", "create", "--role", "admin"], None)
        self.assertEqual(p.returncode, 2)
        self.assertIn("SIPAS_DATABASE_URL", p.stderr)
        p = h.run_sipas(["token", "create", "--role", "admin"],
                        "postgresql://nobody@127.0.0.1:1/none")
        self.assertEqual(p.returncode, 1)

    def test_agency_list(self):
        tok = self.token("--role", "analyst")
        r = self.server.get("/api/v1/agencies", token=tok)
        self.assertEqual(r.status, 200)
        codes = {a["code"]: a for a in r.json()["agencies"]}
        self.assertEqual(codes["SNV"]["name"], "Sở Nội vụ")
        self.assertEqual(codes["SNV"]["parent"], "LS")
        self.assertEqual(codes["P.TAMTHANH"]["level"], "commune")

    def test_login_session(self):
        import re
        import urllib.parse
        analyst = self.token("--role", "analyst", "--name", "Phân tích viên")
        page = self.server.get("/login?next=/api/v1/me")
        self.assertEqual(page.status, 200)
        self.assertIn("Đăng nhập", page.text)
        cookie = page.headers["Set-Cookie"]
        self.assertIn("HttpOnly", cookie)
        self.assertIn("SameSite=Strict", cookie)
        csrf_cookie = cookie.split(";")[0]
        csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text).group(1)
        form = {"csrf": csrf, "token": analyst, "next": "/api/v1/me"}
        hdr = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": csrf_cookie}
        # without the CSRF cookie: refused
        r = self.server.post("/login", urllib.parse.urlencode(form),
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 403)
        # a wrong token: 401, the page again
        r = self.server.post("/login", urllib.parse.urlencode(dict(form, token="sipas_1_" + "0" * 64)), headers=hdr)
        self.assertEqual(r.status, 401)
        self.assertIn("không đúng", r.text)
        # an open redirect is refused: next falls back to /
        r = self.server.post("/login", urllib.parse.urlencode(dict(form, next="//evil.example/")), headers=hdr)
        self.assertEqual(r.status, 303)
        self.assertEqual(r.headers["Location"], "/")
        r = self.server.post("/login", urllib.parse.urlencode(form), headers=hdr)
        self.assertEqual(r.status, 303)
        self.assertEqual(r.headers["Location"], "/api/v1/me")
        session = r.headers["Set-Cookie"]
        self.assertIn("HttpOnly", session)
        self.assertIn("SameSite=Strict", session)
        sid = session.split(";")[0]
        me = self.server.get("/api/v1/me", headers={"Cookie": sid})
        self.assertEqual(me.status, 200)
        self.assertEqual(me.json()["name"], "Phân tích viên")
        self.assertEqual(self.db.sql(f"SELECT count(*) FROM sessions WHERE id_hash = sha256('{sid.split('=')[1]}'::bytea)"), "1")
        # logout needs the session's CSRF secret
        r = self.server.post("/logout", "csrf=" + "0" * 64,
                             headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": sid})
        self.assertEqual(r.status, 403)
        secret = self.db.sql(f"SELECT csrf FROM sessions WHERE id_hash = sha256('{sid.split('=')[1]}'::bytea)")
        r = self.server.post("/logout", "csrf=" + secret,
                             headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": sid})
        self.assertEqual(r.status, 303)
        self.assertEqual(self.server.get("/api/v1/me", headers={"Cookie": sid}).status, 401)

    def test_help(self):
        for cmd in (["--help"], ["serve", "--help"], ["migrate", "--help"], ["token", "--help"],
                    ["agencies", "--help"]):
            p = h.run_sipas(cmd)
            self.assertEqual(p.returncode, 0, cmd)
            self.assertIn("usage", p.stdout.lower(), cmd)
        self.assertEqual(h.run_sipas(["frobnicate"]).returncode, 2)

    def test_bad_environment(self):
        # every SIPAS_* variable is checked at start: a malformed one stops the program with
        # exit 2 and names it, whatever the subcommand; nothing listens, nothing is migrated
        for name, value, cmd in (("SIPAS_RATE_LIMIT", "abc", ["serve"]),
                                 ("SIPAS_THREADS", "0", ["serve"]),
                                 ("SIPAS_WRITERS", "many", ["serve"]),
                                 ("SIPAS_LISTEN", "127.0.0.1:99999", ["serve"]),
                                 ("SIPAS_LOG_LEVEL", "loud", ["migrate"]),
                                 ("SIPAS_RESULT_CACHE", "maybe", ["token", "create", "--role", "admin"])):
            p = h.run_sipas(cmd, self.db.url, env={name: value}, timeout=30)
            self.assertEqual(p.returncode, 2, (name, value, p.stderr))
            self.assertIn(f"{name}={value}", p.stderr)


class ServerLimits(unittest.TestCase):
    """Body limits, media types, and a graceful stop with a request in flight."""

    @classmethod
    def setUpClass(cls):
        cls.db = h.Database()
        cls.server = h.Server(cls.db.url)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.db.close()

    def raw(self, data, read=True):
        import socket
        host, port = self.server.url[len("http://"):].split(":")
        s = socket.create_connection((host, int(port)), timeout=20 * h.SLOW)
        s.sendall(data)
        if not read:
            return s
        out = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
        s.close()
        return out

    def test_declared_too_large(self):
        r = self.raw(b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                     b"Content-Length: 100000000\r\nConnection: close\r\n\r\n")
        self.assertTrue(r.startswith(b"HTTP/1.1 413"), r[:100])

    def test_streamed_too_large(self):
        body = b"a=" + b"x" * 20000
        chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
        r = self.raw(b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                     b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunked)
        self.assertTrue(r.startswith(b"HTTP/1.1 413"), r[:100])
        self.assertEqual(self.server.get("/healthz").status, 200)

    def test_header_size(self):
        """Headers up to 16 kB (a large Cookie) are served; larger ones get 431, not a silence."""
        for size, status in ((16000, b"HTTP/1.1 200"), (24000, b"HTTP/1.1 431")):
            r = self.raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\nCookie: x=" + b"a" * size +
                         b"\r\nConnection: close\r\n\r\n")
            self.assertTrue(r.startswith(status), (size, r[:100]))

    def test_host_header(self):
        """RFC 9112 §3.2: HTTP/1.1 needs exactly one Host (else 400, before anything else);
        HTTP/1.0 needs none."""
        for head in (b"GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n",
                     b"GET /khong-co HTTP/1.1\r\nConnection: close\r\n\r\n",
                     b"GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n",
                     b"POST /api/v1/surveys/x/responses HTTP/1.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 2\r\nConnection: close\r\n\r\n{}"):
            r = self.raw(head)
            self.assertTrue(r.startswith(b"HTTP/1.1 400"), (head, r[:100]))
            self.assertEqual(json.loads(r.split(b"\r\n\r\n", 1)[1])["error"]["code"], "bad_host", r)
        for head in (b"GET /healthz HTTP/1.0\r\n\r\n", b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"):
            r = self.raw(head)
            self.assertRegex(r[:20], rb"^HTTP/1\.[01] 200", head)
            self.assertTrue(r.endswith(b'{"status":"ok"}'), r)

    def test_wrong_media_type(self):
        r = self.server.post("/login", "{}", headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 415)

    def test_body_on_get(self):
        r = self.server.request("GET", "/healthz", body="x" * 10, headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status, 413)


class GracefulStop(unittest.TestCase):
    def test_inflight_request_finishes(self):
        import signal
        import socket
        db = h.Database()
        server = h.Server(db.url)
        try:
            host, port = server.url[len("http://"):].split(":")
            s = socket.create_connection((host, int(port)), timeout=30 * h.SLOW)
            body = b"token=abc&csrf=" + b"0" * 64
            # Expect: 100-continue makes the server say when it has the request (its handler ran,
            # it is counted in flight): no guessing how long that takes
            s.sendall(b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                      b"Content-Length: %d\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n" % len(body))
            cont = b""
            while b"\r\n\r\n" not in cont:
                chunk = s.recv(1)
                self.assertTrue(chunk, f"the connection closed before 100 Continue: {cont!r}")
                cont += chunk
            self.assertTrue(cont.startswith(b"HTTP/1.1 100"), cont)
            s.sendall(body[:10])
            server.proc.send_signal(signal.SIGTERM)
            server.wait_log(r"signal 15: no new connections; waiting for 1 request\(s\) in flight", 30,
                            "the server to take the signal with the request in flight")
            self.assertIsNone(server.proc.poll(), "the server must wait for the request in flight")
            # it no longer accepts: a new connection is refused while the request is in flight
            with self.assertRaises(ConnectionRefusedError):
                socket.create_connection((host, int(port)), timeout=5 * h.SLOW).close()
            self.assertIsNone(server.proc.poll(), "the server must wait for the request in flight")
            s.sendall(body[10:])
            reply = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                reply += chunk
            s.close()
            self.assertTrue(reply.startswith(b"HTTP/1.1 403"), reply[:80])   # no CSRF cookie: refused, but answered
            self.assertEqual(server.proc.wait(timeout=60 * h.SLOW), 0)
        finally:
            server.stop()
            db.close()


class Agencies(unittest.TestCase):
    def setUp(self):
        self.db = h.Database()
        self.dir = tempfile.mkdtemp()

    def tearDown(self):
        self.db.close()
        shutil.rmtree(self.dir)

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def test_import_upserts(self):
        f = self.write("a.csv", "code,name,level,parent\nLS,UBND tỉnh,province,\nSNV,Sở Nội vụ,department,LS\n")
        p = h.run_sipas(["agencies", "import", f], self.db.url)
        self.assertEqual(p.returncode, 0, p.stderr)
        f = self.write("b.csv", "\ufeffcode,name,level,parent\r\nSNV,Sở Nội vụ tỉnh Lạng Sơn,department,LS\r\n")
        p = h.run_sipas(["agencies", "import", f], self.db.url)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.db.sql("SELECT name FROM agencies WHERE code = 'SNV'"), "Sở Nội vụ tỉnh Lạng Sơn")
        self.assertEqual(self.db.sql("SELECT count(*) FROM agencies"), "2")
        self.assertEqual(self.db.sql("SELECT count(*) FROM audit_log WHERE action = 'agencies.import'"), "2")

    def test_bad_files(self):
        p = h.run_sipas(["agencies", "import", os.path.join(self.dir, "missing.csv")], self.db.url)
        self.assertEqual(p.returncode, 2)
        self.assertIn("missing.csv", p.stderr)
        cases = [
            ("code,name,level,parent\nA1,Tên,village,\n", "row 1", "level"),
            ("code,name,level,parent\nA1,Tên,commune,\nbad code!,Tên,commune,\n", "row 2", "code"),
            ("code,name,level,parent\nA1,,commune,\n", "row 1", "name"),
            ("code,name,level,parent\nA1,Tên,commune,ZZZ\n", "row 1", "parent"),
            ("code,name,level\nA1,Tên,commune\n", "header", "parent"),
            ("code,name,level,parent\nA1,\"Tên,commune,\n", "row 1", ""),
            ("code,name,level,parent\nA1,T\udcean,commune,\n", "row 1", "name"),
        ]
        for i, (text, where, field) in enumerate(cases):
            path = os.path.join(self.dir, f"bad{i}.csv")
            with open(path, "wb") as f:
                f.write(text.encode("utf-8", "surrogateescape"))  # \udcea: a lone byte 0xea
            p = h.run_sipas(["agencies", "import", path], self.db.url)
            self.assertEqual(p.returncode, 2, (text, p.stderr))
            self.assertIn(f"bad{i}.csv", p.stderr)
            self.assertIn(where, p.stderr, text)
            self.assertIn(field, p.stderr, text)
        # nothing was stored by any of them
        self.assertEqual(self.db.sql("SELECT count(*) FROM agencies"), "0")


class Migrations(unittest.TestCase):
    def setUp(self):
        self.db = h.Database()

    def tearDown(self):
        self.db.close()

    def test_twice_is_noop(self):
        p = h.run_sipas(["migrate"], self.db.url, check=True)
        n = len(glob.glob(os.path.join(h.ROOT, "sql", "[0-9][0-9][0-9]_*.sql")))
        self.assertEqual(p.stdout.strip(), f"{n} migration(s) applied")
        p = h.run_sipas(["migrate"], self.db.url, check=True)
        self.assertEqual(p.stdout.strip(), "0 migration(s) applied")
        self.assertEqual(self.db.sql("SELECT count(*) FROM schema_migrations"), str(n))

    def test_concurrent(self):
        procs = [subprocess.Popen([h.SIPAS, "migrate"], env=dict(os.environ, SIPAS_DATABASE_URL=self.db.url),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
        outs = [p.communicate(timeout=120) for p in procs]
        for p, (out, err) in zip(procs, outs):
            self.assertEqual(p.returncode, 0, err)
        n = len(glob.glob(os.path.join(h.ROOT, "sql", "[0-9][0-9][0-9]_*.sql")))
        applied = sorted(int(o.split()[0]) for o, _ in outs)
        self.assertEqual(applied, [0, 0, n])

    def test_edited_migration_fails(self):
        tmp = tempfile.mkdtemp()
        try:
            for f in glob.glob(os.path.join(h.ROOT, "sql", "[0-9][0-9][0-9]_*.sql")):
                shutil.copy(f, tmp)
            env = {"SIPAS_MIGRATIONS_DIR": tmp}
            h.run_sipas(["migrate"], self.db.url, env=env, check=True)
            with open(os.path.join(tmp, "001_schema.sql"), "a") as f:
                f.write("\n-- an afterthought\n")
            p = h.run_sipas(["migrate"], self.db.url, env=env)
            self.assertEqual(p.returncode, 1)
            self.assertIn("001_schema.sql was edited", p.stderr)
            # serve refuses to start on such a database too
            p = h.run_sipas(["serve"], self.db.url, env=dict(env, SIPAS_LISTEN="127.0.0.1:0"))
            self.assertEqual(p.returncode, 1)
            # a new migration is applied after the known ones
            os.remove(os.path.join(tmp, "001_schema.sql"))
            shutil.copy(os.path.join(h.ROOT, "sql", "001_schema.sql"), tmp)
            with open(os.path.join(tmp, "999_extra.sql"), "w") as f:
                f.write("CREATE TABLE extra_test (x int);\n")
            p = h.run_sipas(["migrate"], self.db.url, env=env, check=True)
            self.assertEqual(p.stdout.strip(), "1 migration(s) applied")
            # a failing migration leaves nothing behind
            with open(os.path.join(tmp, "998_broken.sql"), "w") as f:
                f.write("CREATE TABLE half_done (x int);\nSELECT nonsense_function();\n")
            p = h.run_sipas(["migrate"], self.db.url, env=env)
            self.assertEqual(p.returncode, 1)
            self.assertIn("998_broken.sql", p.stderr)
            self.assertEqual(self.db.sql("SELECT count(*) FROM pg_tables WHERE tablename = 'half_done'"), "0")
        finally:
            shutil.rmtree(tmp)


class DatabaseRestart(unittest.TestCase):
    def test_restart_under_server(self):
        cluster = h.Cluster()
        server = None
        try:
            server = h.Server(cluster.url)
            self.assertEqual(server.get("/healthz").status, 200)
            # a round whose form page the server keeps in memory (server/store/round-views.h)
            h.run_sipas(["agencies", "import", os.path.join(h.ROOT, "sql/demo/agencies-lang-son.csv")],
                        cluster.url, check=True)
            h.run_sipas(["forms", "load", os.path.join(h.ROOT, "tests/data/forms/valid/all-types/form.json")],
                        cluster.url, check=True)
            h.run_sipas(["survey", "create", "--id", "restart", "--form", "all-types.v2", "--title", "Khởi động lại"],
                        cluster.url, check=True)
            self.assertEqual(server.get("/s/restart").status, 200)
            cluster.stop()
            t0 = time.monotonic()
            r = server.get("/healthz", timeout=30 * h.SLOW)
            self.assertEqual(r.status, 503)
            self.assertLess(time.monotonic() - t0, 5.0 * h.SLOW)
            for _ in range(3):          # stays down, never crashes
                self.assertEqual(server.get("/healthz").status, 503)
            cluster.start()
            h.wait_for(lambda: server.get("/healthz").status, 30, "/healthz to say 200 once PostgreSQL is back",
                       ok=lambda st: st == 200)
            self.assertIsNone(server.proc.poll())
            # what the form shows follows changes after the restart too
            h.run_sipas(["survey", "close", "restart"], cluster.url, check=True)
            h.wait_for(lambda: server.get("/s/restart").status, 30, "the closed round's page", ok=lambda st: st == 409)
            h.run_sipas(["survey", "open", "restart"], cluster.url, check=True)
            h.wait_for(lambda: server.get("/s/restart").status, 30, "the reopened round's page", ok=lambda st: st == 200)
        finally:
            if server:
                self.assertEqual(server.stop(), 0, server.read_log())
            cluster.close()


if __name__ == "__main__":
    h.main()
