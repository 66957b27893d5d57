#!/usr/bin/env python3
"""Security (issue 7): the authorization matrix of every route in server/handlers/routes.c by role
(docs/api.md), tokens and codes hashed at rest, session and CSRF cookies HttpOnly and
SameSite, CSRF on every state-changing form, security headers on every reply, and a server
log free of tokens, free-text answers and client addresses."""
import os
import re
import secrets
import tempfile
import time
import unittest
import urllib.parse
import uuid

import harness as h

h.require_db()

FORM = os.path.join(h.ROOT, "tests", "data", "upload", "form.json")
S = "sec"
ROLES = ("anonymous", "admin", "team", "other_team", "analyst")
FORM_CT = "application/x-www-form-urlencoded"
CSRF = "5e" * 32


class Security(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="sipas-sec-")
        frame = os.path.join(cls.tmp, "frame.csv")
        with open(frame, "w") as f:
            f.write("stratum,population,target\nSNV,1000,50\nSYT,800,40\n")
        cls.db = h.Database()
        url = cls.db.url
        h.run_sipas(["agencies", "import", os.path.join(h.ROOT, "sql/demo/agencies-lang-son.csv")], url, check=True)
        h.run_sipas(["forms", "load", FORM], url, check=True)
        h.run_sipas(["survey", "create", "--id", S, "--form", "upload-test", "--title", "Đợt bảo mật",
                     "--baseline", "79.30", "--frame", frame], url, check=True)
        h.run_sipas(["survey", "create", "--id", "sec-inv", "--form", "upload-test", "--title", "Mời",
                     "--access", "invite"], url, check=True)
        cls.invites = h.run_sipas(["invites", "create", "--survey", "sec-inv", "--agency", "SNV", "--count", "3"], url,
                                  check=True).stdout.split()
        cls.tokens = {}
        for role, args in (("admin", ["--role", "admin"]), ("team", ["--role", "team", "--agency", "SNV"]),
                           ("other_team", ["--role", "team", "--agency", "SYT"]), ("analyst", ["--role", "analyst"])):
            cls.tokens[role] = h.run_sipas(["token", "create", *args, "--name", "sec " + role], url,
                                           check=True).stdout.strip()
        cls.secrets = []            # every free-text answer sent: none may reach the log
        cls.server = h.Server(url, env={"SIPAS_LOG_LEVEL": "debug"})
        cls.n = 0
        # something to read: responses of two agencies, one upload
        for agency in ("SNV", "SYT", "SNV", "SYT", "SYT"):
            r = cls.server.post(f"/api/v1/surveys/{S}/responses",
                                body={"agency": agency, "answers": {"used": 1, "S1_1": 4, "S1_2": 5,
                                                                   "note": cls.secret_text()}})
            assert r.status == 201, r.body
        r = cls.upload_as("admin")
        assert r.status == 201, r.body
        h.run_sipas(["survey", "publish", S], url, check=True)

    @classmethod
    def tearDownClass(cls):
        status = cls.server.stop()
        log = cls.server.read_log()
        cls.db.close()
        assert status == 0, f"sipas serve exited {status}\n{log[-3000:]}"

    @classmethod
    def secret_text(cls):
        t = "ghi chú riêng " + secrets.token_hex(8)
        cls.secrets.append(t)
        return t

    @classmethod
    def upload_as(cls, role, agency="SNV", session=None):
        cls.n += 1
        body = (f"serial,agency,used,S1_1,note\nSEC-{cls.n}-1,{agency},1,4,{cls.secret_text()}\n"
                f"SEC-{cls.n}-2,{agency},0,5,\n")
        hdr = {"Content-Type": "text/csv"}
        if session:
            hdr["Cookie"] = session
        return cls.server.post(f"/api/v1/surveys/{S}/uploads", body=body, headers=hdr,
                               token=cls.tokens.get(role) if not session else None)

    def call(self, role, method, path, body=None, headers=None):
        return self.server.request(method, path, body=body, headers=headers,
                                   token=self.tokens.get(role) if role != "anonymous" else None)

    def fresh_upload(self):
        r = self.upload_as("admin")
        self.assertEqual(r.status, 201, r.body)
        return r.json()["upload"]

    # ---- the matrix ----

    def matrix(self):
        """(method, path, body maker, expected status per role), in routes.c's order."""
        def json_post(role):
            return {"body": {"agency": "SNV", "answers": {"used": 0, "S1_1": 3, "note": self.secret_text()}}}

        def form_post(role):
            return {"body": urllib.parse.urlencode({"_csrf": CSRF, "_id": str(uuid.uuid4()), "_agency": "SNV",
                                                    "used": "0", "S1_1": "2", "note": self.secret_text()}),
                    "headers": {"Content-Type": FORM_CT, "Cookie": "sipas_csrf=" + CSRF}}

        def login_post(role):
            tok = self.tokens.get(role, "sipas_1_" + "0" * 64)
            return {"body": urllib.parse.urlencode({"csrf": CSRF, "token": tok, "next": "/api/v1/me"}),
                    "headers": {"Content-Type": FORM_CT, "Cookie": "sipas_csrf=" + CSRF}}

        def logout_post(role):     # a Bearer caller without the double-submit cookie: CSRF refuses
            return {"body": "csrf=" + CSRF, "headers": {"Content-Type": FORM_CT}}

        def csv_post(role):
            self.n += 1
            return {"body": f"serial,agency,used,S1_1\nM-{self.n},SNV,1,4\n", "headers": {"Content-Type": "text/csv"}}

        def withdraw(role):
            return {"path": f"/api/v1/uploads/{self.fresh_upload()}/withdraw"}

        A, T, AN = "admin", "team", "analyst"
        del A, T, AN
        #                                                              anon adm team other analyst
        return [
            ("GET", "/healthz", None,                                   (200, 200, 200, 200, 200)),
            ("GET", "/api/v1/me", None,                                 (401, 200, 200, 200, 200)),
            ("GET", "/api/v1/agencies", None,                           (401, 200, 200, 200, 200)),
            ("GET", "/login", None,                                     (200, 200, 200, 200, 200)),
            ("POST", "/login", login_post,                              (401, 303, 303, 303, 303)),
            ("POST", "/logout", logout_post,                            (401, 403, 403, 403, 403)),
            ("GET", f"/s/{S}", None,                                    (200, 200, 200, 200, 200)),
            ("POST", f"/s/{S}", form_post,                              (303, 303, 303, 303, 303)),
            ("GET", f"/s/{S}/thanks", None,                             (200, 200, 200, 200, 200)),
            ("POST", f"/api/v1/surveys/{S}/responses", json_post,       (201, 201, 201, 201, 201)),
            ("GET", "/static/form.js", None,                            (200, 200, 200, 200, 200)),
            # another agency's rows: 422 with forbidden_agency on each row (test_team_sees_only_own_agencies)
            ("POST", f"/api/v1/surveys/{S}/uploads", csv_post,          (401, 201, 201, 422, 403)),
            ("GET", f"/api/v1/surveys/{S}/uploads", None,               (401, 200, 200, 200, 403)),
            ("GET", f"/api/v1/surveys/{S}/template.csv", None,          (401, 200, 200, 200, 403)),
            ("GET", f"/api/v1/surveys/{S}/codebook.csv", None,          (401, 200, 200, 200, 200)),
            ("POST", "/api/v1/uploads/{id}/withdraw", withdraw,         (401, 200, 403, 403, 403)),
            ("GET", f"/upload/{S}", None,                               (303, 200, 200, 200, 403)),
            ("GET", "/static/upload.js", None,                          (200, 200, 200, 200, 200)),
            ("GET", f"/api/v1/surveys/{S}/estimates?by=agency", None,   (401, 200, 403, 403, 200)),
            ("GET", f"/api/v1/surveys/{S}/compare?a=SNV&b=SYT", None,   (401, 200, 403, 403, 200)),
            ("GET", f"/api/v1/surveys/{S}/responses.csv", None,         (401, 200, 403, 403, 200)),
            ("GET", f"/api/v1/surveys/{S}/frame.csv", None,             (401, 200, 403, 403, 200)),
            ("GET", f"/api/v1/surveys/{S}/template.xlsx", None,         (401, 200, 200, 200, 403)),
            ("GET", f"/api/v1/surveys/{S}/responses.xlsx", None,        (401, 200, 403, 403, 200)),
            ("GET", f"/api/v1/surveys/{S}/responses.sav", None,         (401, 200, 403, 403, 200)),
            ("GET", f"/api/v1/surveys/{S}/responses.dta", None,         (401, 200, 403, 403, 200)),
            ("GET", f"/api/v1/surveys/{S}/estimates.xlsx?by=agency", None, (401, 200, 403, 403, 200)),
            ("GET", f"/api/v1/surveys/{S}/progress", None,              (401, 200, 200, 200, 200)),
            ("GET", f"/api/v1/surveys/{S}/invites.csv?base_url=https://ks.example.vn", None,
                                                                        (401, 200, 403, 403, 403)),
            ("GET", f"/admin/{S}/letters?base_url=https://ks.example.vn", None,
                                                                        (401, 200, 403, 403, 403)),
            ("GET", f"/dashboard/{S}", None,                            (303, 200, 403, 403, 200)),
            ("GET", f"/dashboard/{S}/agency/SNV", None,                 (303, 200, 403, 403, 200)),
            ("GET", "/sw.js", None,                                     (200, 200, 200, 200, 200)),
            ("GET", "/static/outbox.js", None,                          (200, 200, 200, 200, 200)),
            ("GET", f"/s/{S}/manifest.webmanifest", None,               (200, 200, 200, 200, 200)),
            ("GET", f"/collect/{S}", None,                              (303, 200, 200, 200, 403)),
            ("GET", f"/collect/{S}/manifest.webmanifest", None,         (200, 200, 200, 200, 200)),
            ("GET", f"/api/v1/surveys/{S}/report.pdf", None,            (401, 200, 403, 403, 200)),
            # published results: anyone, once published (test_report covers before and after)
            ("GET", f"/results/{S}.json", None,                         (200, 200, 200, 200, 200)),
            ("GET", f"/results/{S}", None,                              (200, 200, 200, 200, 200)),
        ]

    def test_matrix_covers_every_route(self):
        with open(os.path.join(h.ROOT, "server", "handlers", "routes.c"), encoding="utf-8") as f:
            src = f.read()
        routes = set(re.findall(r'\.method = "(\w+)", \.pattern = "([^"]+)"', src))
        self.assertTrue(routes)
        covered = set()
        for method, path, _, _ in self.matrix():
            path = path.split("?")[0]
            for m, pat in routes:
                rx = "^" + re.sub(r"\\\{[a-z]+\\\}", "[^/]+", re.escape(pat)) + "$"
                if m == method and re.match(rx, path):
                    covered.add((m, pat))
        self.assertEqual(sorted(routes - covered), [], "routes missing from the matrix")

    def test_matrix(self):
        failures = []
        for method, path, make, want in self.matrix():
            for role, status in zip(ROLES, want):
                kw = make(role) if make else {}
                p = kw.pop("path", path)
                r = self.call(role, method, p, **kw)
                if r.status != status:
                    failures.append(f"{method} {p} as {role}: {r.status}, want {status}: {r.body[:120]!r}")
                self.check_headers(r, f"{method} {p} as {role}")
        self.assertEqual(failures, [], "\n" + "\n".join(failures))

    def test_team_sees_only_own_agencies(self):
        # a team's upload of another agency's rows is refused and stores nothing
        before = self.db.sql("SELECT count(*) FROM responses")
        r = self.upload_as("team", agency="SYT")
        self.assertEqual(r.status, 422, r.body)
        self.assertEqual({e["code"] for e in r.json()["errors"]}, {"forbidden_agency"})
        self.assertEqual(self.db.sql("SELECT count(*) FROM responses"), before)
        rows = self.call("other_team", "GET", f"/api/v1/surveys/{S}/progress").json()["rows"]
        self.assertTrue(all(x.get("agency") in (None, "SYT") for x in rows), rows)

    # ---- secrets at rest ----

    def test_tokens_hashed_at_rest(self):
        # a session too, so that the sessions table has a row to scan
        sid = self.login("analyst")
        wanted = []
        for tok in self.tokens.values():
            wanted += [tok, tok.split("_")[2]]
        wanted += self.invites + [sid.split("=", 1)[1]]
        cols = self.db.sql("SELECT table_name, column_name, data_type FROM information_schema.columns"
                           " WHERE table_schema = 'public' AND data_type IN"
                           " ('text', 'character varying', 'character', 'jsonb', 'json', 'bytea', 'uuid', 'ARRAY')"
                           " ORDER BY 1, 2").splitlines()
        self.assertGreater(len(cols), 20)
        parts = []
        for line in cols:
            table, col, typ = line.split("|")
            for w in wanted:
                if typ == "bytea":
                    cond = (f"position(decode('{w.encode().hex()}', 'hex') IN \"{col}\") > 0 OR"
                            f" encode(\"{col}\", 'hex') LIKE '%{w.lower()}%'")
                else:
                    cond = f"\"{col}\"::text LIKE '%{w}%'"
                parts.append(f"SELECT '{table}.{col}' FROM \"{table}\" WHERE {cond}")
        found = self.db.sql(" UNION ALL ".join(parts))
        self.assertEqual(found, "", "a token, invitation code or session id stored in plain text")

    # ---- cookies and CSRF ----

    def login(self, role):
        page = self.server.get("/login")
        csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text).group(1)
        cookie = page.headers["Set-Cookie"]
        self.assertIn("HttpOnly", cookie)
        self.assertIn("SameSite=Strict", cookie)
        r = self.server.post("/login", urllib.parse.urlencode({"csrf": csrf, "token": self.tokens[role]}),
                             headers={"Content-Type": FORM_CT, "Cookie": cookie.split(";")[0]})
        self.assertEqual(r.status, 303, r.body)
        session = r.headers["Set-Cookie"]
        for attr in ("HttpOnly", "SameSite=Strict", "Path=/"):
            self.assertIn(attr, session)
        self.assertRegex(session, r"Max-Age=\d+|Expires=")
        return session.split(";")[0]

    def session_csrf(self, sid):
        return self.db.sql("SELECT csrf FROM sessions WHERE id_hash = sha256('" + sid.split("=", 1)[1] + "'::bytea)")

    def test_cookies(self):
        for path in ("/login", f"/s/{S}"):
            r = self.server.get(path)
            c = r.headers["Set-Cookie"]
            self.assertIn("HttpOnly", c, path)
            self.assertIn("SameSite=Strict", c, path)
        self.login("admin")

    def test_csrf_on_every_state_changing_form(self):
        sid = self.login("admin")
        good = self.session_csrf(sid)
        self.assertRegex(good, r"^[0-9a-f]{64}$")
        uid = self.fresh_upload()
        posts = [
            # (path, content type, body without the token, body with a wrong one)
            ("/login", FORM_CT, "token=" + self.tokens["admin"], f"csrf={'0' * 64}&token={self.tokens['admin']}"),
            (f"/s/{S}", FORM_CT, "_agency=SNV&used=1&S1_1=4", f"_csrf={'0' * 64}&_agency=SNV&used=1&S1_1=4"),
        ]
        for path, ct, without, wrong in posts:
            for body in (without, wrong):
                for cookie in ("", "sipas_csrf=" + CSRF, sid):
                    hdr = {"Content-Type": ct}
                    if cookie:
                        hdr["Cookie"] = cookie
                    r = self.server.post(path, body, headers=hdr)
                    self.assertEqual(r.status, 403, (path, body[:40], cookie))
        # the session's own forms: logout, uploads and withdrawal through the cookie
        for body in ("", "csrf=" + "0" * 64, "csrf=" + CSRF):
            r = self.server.post("/logout", body, headers={"Content-Type": FORM_CT, "Cookie": sid})
            self.assertEqual(r.status, 403, body)
        before = self.db.sql("SELECT count(*) FROM uploads")
        r = self.upload_as(None, session=sid)
        self.assertEqual(r.status, 403, r.body)
        r = self.server.post(f"/api/v1/surveys/{S}/uploads", body="serial,agency,used,S1_1\nC-1,SNV,1,4\n",
                             headers={"Content-Type": "text/csv", "Cookie": sid, "X-CSRF-Token": "0" * 64})
        self.assertEqual(r.status, 403, r.body)
        self.assertEqual(self.db.sql("SELECT count(*) FROM uploads"), before)
        r = self.server.post(f"/api/v1/uploads/{uid}/withdraw", headers={"Cookie": sid})
        self.assertEqual(r.status, 403, r.body)
        self.assertEqual(self.db.sql(f"SELECT status FROM uploads WHERE id = {uid}"), "stored")
        # with the session's secret, they work
        r = self.server.post(f"/api/v1/uploads/{uid}/withdraw", headers={"Cookie": sid, "X-CSRF-Token": good})
        self.assertEqual(r.status, 200, r.body)
        r = self.server.post("/logout", "csrf=" + good, headers={"Content-Type": FORM_CT, "Cookie": sid})
        self.assertEqual(r.status, 303)
        self.assertEqual(self.server.get("/api/v1/me", headers={"Cookie": sid}).status, 401)

    # ---- headers ----

    def check_headers(self, r, what):
        self.assertEqual(r.headers.get("X-Content-Type-Options"), "nosniff", what)
        csp = r.headers.get("Content-Security-Policy") or ""
        self.assertIn("frame-ancestors 'none'", csp, what)
        self.assertEqual(r.headers.get("X-Frame-Options"), "DENY", what)
        if (r.headers.get("Content-Type") or "").startswith("text/html"):
            self.assertIn("script-src 'self'", csp, what)
            self.assertNotIn("unsafe-eval", csp, what)
            self.assertNotRegex(csp, r"script-src[^;]*unsafe-inline", what)

    def test_headers_on_errors(self):
        for method, path in (("GET", "/nope"), ("POST", "/healthz"), ("GET", "/s/nope"),
                             ("GET", f"/api/v1/surveys/nope/estimates")):
            r = self.server.request(method, path)
            self.assertGreaterEqual(r.status, 400)
            self.check_headers(r, f"{method} {path}")

    # ---- the log ----

    def test_zz_log_has_no_secrets(self):
        """Runs last (by name): the log of everything above, at debug level."""
        # invitations used and refused, failed uploads and posts with text, logins
        r = self.server.post("/api/v1/surveys/sec-inv/responses",
                             body={"invite": self.invites[0], "answers": {"used": 1, "S1_1": 4, "note": self.secret_text()}})
        self.assertEqual(r.status, 201, r.body)
        r = self.server.post("/api/v1/surveys/sec-inv/responses",
                             body={"invite": self.invites[0], "answers": {"used": 1, "S1_1": 4}})
        self.assertEqual(r.status, 409, r.body)
        self.assertEqual(self.server.get(f"/s/sec-inv?invite={self.invites[1]}").status, 200)
        r = self.server.post(f"/api/v1/surveys/{S}/responses",
                             body={"agency": "SNV", "answers": {"used": 9, "note": self.secret_text()}})
        self.assertEqual(r.status, 422)
        bad = f"serial,agency,used,S1_1,note\nL-1,SNV,7,4,{self.secret_text()}\n"
        r = self.server.post(f"/api/v1/surveys/{S}/uploads", body=bad, headers={"Content-Type": "text/csv"},
                             token=self.tokens["admin"])
        self.assertEqual(r.status, 422)
        self.login("team")
        self.assertEqual(self.server.get("/api/v1/me", token=self.tokens["admin"][:-1] + "x").status, 401)
        # access lines are written once a request is done, on the server's thread, after the
        # reply: wait until every request above has its line, then check the log whole
        self.server.wait_logged()
        log = self.server.read_log()
        self.assertIn("GET /api/v1/me", log)
        leaks = []
        for tok in self.tokens.values():
            for part in (tok, tok.split("_")[2], tok.split("_")[2][:16]):
                if part in log:
                    leaks.append("token " + part[:12])
        for code in self.invites:
            if code in log:
                leaks.append("invitation " + code)
        for t in self.secrets:
            if t.split()[-1] in log:
                leaks.append("free text " + t)
        for line in log.splitlines():
            if "listening on" in line:
                continue
            if re.search(r"\b127\.0\.0\.1\b", line):
                leaks.append("client address: " + line)
        self.assertEqual(leaks, [], "\n".join(leaks[:20]))

    def test_rate_limit_log_has_no_address(self):
        srv = h.Server(self.db.url, env={"SIPAS_RATE_LIMIT": "3", "SIPAS_LOG_LEVEL": "debug"})
        try:
            # 3 a minute, a burst of 2: one more request each 20 s. Under valgrind the requests
            # are slow enough to earn some back, so the bound counts the time they took.
            t0 = time.monotonic()
            replies = [srv.get(f"/s/{S}") for _ in range(9)]
            took = time.monotonic() - t0
            statuses = [r.status for r in replies]
            self.assertLessEqual(sum(1 for st in statuses if st != 429), 2 + int(took * 3 / 60), (statuses, took))
            self.assertIn(429, statuses)
            r = [r for r in replies if r.status == 429][-1]
            self.assertTrue(r.headers.get("Retry-After"))
            self.check_headers(r, "429")
        finally:
            self.assertEqual(srv.stop(), 0)
        for line in srv.read_log().splitlines():
            if "listening on" not in line:
                self.assertNotRegex(line, r"\b127\.0\.0\.1\b")


if __name__ == "__main__":
    h.main()
