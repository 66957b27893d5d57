#!/usr/bin/env python3
"""The citizens' web form and the CLI that sets rounds up: forms load, survey create/open/
close, invites create; GET renders every question, POST stores the right codes, errors come
back in Vietnamese beside their fields with every answer kept, CSRF is enforced."""
import glob
import html
import json
import os
import re
import tempfile
import unittest
import urllib.parse

import harness as h

h.require_db()

DATA = os.path.join(h.ROOT, "tests", "data", "forms", "valid")
ALL_TYPES = os.path.join(DATA, "all-types", "form.json")
SHIPPED = sorted(glob.glob(os.path.join(h.ROOT, "survey-forms", "*.json")))
FORM_CT = {"Content-Type": "application/x-www-form-urlencoded"}


def sipas(db, *args, **kw):
    return h.run_sipas(list(args), db.url, **kw)


class Page:
    """A GET of the form: its cookie, CSRF token and response id."""

    def __init__(self, resp):
        self.resp = resp
        self.text = resp.text
        m = re.search(r'name="_csrf" value="([0-9a-f]{64})"', self.text)
        self.csrf = m.group(1) if m else None
        m = re.search(r'name="_id" value="([0-9a-f-]{36})"', self.text)
        self.id = m.group(1) if m else None
        sc = resp.headers.get("Set-Cookie") or ""
        self.cookie = sc.split(";")[0]


class WebForm(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = h.Database()
        h.run_sipas(["agencies", "import", os.path.join(h.ROOT, "sql/demo/agencies-lang-son.csv")],
                    cls.db.url, check=True)
        sipas(cls.db, "forms", "load", ALL_TYPES, check=True)
        sipas(cls.db, "survey", "create", "--id", "web-open", "--form", "all-types.v2",
              "--title", "Khảo sát thử nghiệm", check=True)
        sipas(cls.db, "survey", "create", "--id", "web-inv", "--form", "all-types.v2", "--title", "Theo lời mời",
              "--access", "invite", "--agency", "SNV", "--agency", "STC", check=True)
        sipas(cls.db, "survey", "create", "--id", "web-two", "--form", "all-types.v2", "--title", "Hai cơ quan",
              "--agency", "SNV", "--agency", "STP", check=True)
        cls.server = h.Server(cls.db.url)

    @classmethod
    def tearDownClass(cls):
        status = cls.server.stop()
        log = cls.server.read_log()
        cls.db.close()
        assert status == 0, f"sipas serve exited {status}\n{log}"

    def open_form(self, survey, query=""):
        r = self.server.get(f"/s/{survey}{query}")
        self.assertEqual(r.status, 200, r.text[:500])
        return Page(r)

    def post(self, survey, page, fields, cookie=None, csrf=None):
        body = [("_csrf", page.csrf if csrf is None else csrf), ("_id", page.id)] + list(fields)
        hdr = dict(FORM_CT)
        c = page.cookie if cookie is None else cookie
        if c:
            hdr["Cookie"] = c
        return self.server.post(f"/s/{survey}", urllib.parse.urlencode(body), headers=hdr)

    def rows(self, survey):
        out = self.db.sql("SELECT r.client_id, a.code, r.channel, sipas_codes(r.codes), sipas_answers(r) FROM responses r"
                          " JOIN agencies a ON a.id = r.agency_id JOIN surveys s ON s.id = r.survey_id"
                          f" WHERE s.code = '{survey}' ORDER BY r.id")
        return [line.split("|") for line in out.splitlines()] if out else []

    # ---- GET ----

    def test_renders_every_question(self):
        page = self.open_form("web-open")
        t = page.text
        self.assertIn('<html lang="vi">', t)
        self.assertIn('name="viewport"', t)
        for qid in ("A.used", "A.channels", "A.age", "A.note", "B1", "B2", "P1"):
            self.assertIn(f'<fieldset id="q-{qid}"', t, qid)
            self.assertIn(f'<legend id="l-{qid}">', t, qid)
        self.assertEqual(len(re.findall(r'type="radio" name="B1"', t)), 5)
        self.assertEqual(len(re.findall(r'type="checkbox" name="A.channels"', t)), 2)
        self.assertIn('<textarea name="A.note"', t)
        self.assertIn('data-if="A.used" data-in="1"', t)
        self.assertIn("Rất hài lòng", t)
        self.assertIn("Sở Nội vụ", t)                      # every agency in the select
        self.assertIn('<option value="X.CAOLOC"', t)
        self.assertIn('<script src="/static/form.js" defer></script>', t)
        self.assertNotRegex(t, r"<script>|<script [^s]|on(click|load|change)=")   # no inline script
        self.assertNotRegex(t, r"(src|href)=\"https?://")  # no external resources
        csp = page.resp.headers["Content-Security-Policy"]
        self.assertIn("script-src 'self'", csp)
        self.assertIn("HttpOnly", page.resp.headers["Set-Cookie"])
        self.assertIn("SameSite=Strict", page.resp.headers["Set-Cookie"])
        self.assertTrue(page.csrf and page.id)

    def test_round_agencies_only(self):
        t = self.open_form("web-two").text
        self.assertEqual(sorted(re.findall(r'<option value="([^"]+)"', t)), ["SNV", "STP"])

    def test_shipped_forms_render(self):
        if not SHIPPED:
            self.skipTest("no shipped forms in survey-forms/ yet")
        sipas(self.db, "forms", "load", *SHIPPED, check=True)
        for path in SHIPPED:
            with open(path, encoding="utf-8") as f:
                form = json.load(f)
            code = "ship-" + re.sub(r"[^A-Za-z0-9]", "-", form["id"])[:40]
            p = sipas(self.db, "survey", "create", "--id", code, "--form", form["id"], "--title", form["title"])
            self.assertIn(p.returncode, (0, 2), p.stderr)
            r = self.server.get(f"/s/{code}")
            self.assertEqual(r.status, 200, path)
            self.assertLess(len(r.body), 50 * 1024, f"{path}: {len(r.body)} bytes")
            for sec in form["sections"]:
                for q in sec["questions"]:
                    self.assertIn(f'<fieldset id="q-{q["id"]}"', r.text, f"{path}: {q['id']}")
                    self.assertIn(html.escape(q["text"], quote=True), r.text, f"{path}: {q['id']}")
                    for o in q.get("options", []):
                        self.assertIn(f'name="{q["id"]}" value="{o["code"]}"', r.text)

    def test_unknown_and_closed(self):
        r = self.server.get("/s/no-such-round")
        self.assertEqual(r.status, 404)
        self.assertIn("Không tìm thấy", r.text)
        sipas(self.db, "survey", "create", "--id", "web-closing", "--form", "all-types.v2", "--title", "Sắp đóng",
              check=True)
        page = self.open_form("web-closing")
        p = sipas(self.db, "survey", "close", "web-closing")
        self.assertEqual(p.returncode, 0, p.stderr)
        # the server hears of the closing a moment after its commit (NOTIFY sipas_rounds)
        h.wait_for(lambda: self.server.get("/s/web-closing").status, 30, "the closed round's page",
                   ok=lambda st: st == 409)
        r = self.server.get("/s/web-closing")
        self.assertEqual(r.status, 409)
        self.assertIn("đã kết thúc", r.text)
        r = self.post("web-closing", page, [("_agency", "SNV"), ("A.used", "0")])
        self.assertEqual(r.status, 409)
        self.assertEqual(self.rows("web-closing"), [])
        self.assertEqual(sipas(self.db, "survey", "open", "web-closing").returncode, 0)
        r = self.post("web-closing", page, [("_agency", "SNV"), ("A.used", "0")])
        self.assertEqual(r.status, 303)

    def test_round_view_kept_until_a_change(self):
        """What the form shows of a round (open or not, its agencies) is kept in the server's
        memory: a page reads no table until a committed change, by any session, drops it."""
        sipas(self.db, "survey", "create", "--id", "web-kept", "--form", "all-types.v2", "--title", "Giữ lại",
              "--agency", "SNV", "--agency", "STP", check=True)
        self.assertIn('value="STP"', self.open_form("web-kept").text)         # read, and kept
        # the kept page carries each request's own CSRF token and response id, and nothing else differs
        a, b = self.open_form("web-kept"), self.open_form("web-kept")
        self.assertTrue(a.csrf and b.csrf and a.id and b.id)
        self.assertNotEqual((a.csrf, a.id), (b.csrf, b.id))
        self.assertEqual(a.text.replace(a.csrf, "C").replace(a.id, "I"), b.text.replace(b.csrf, "C").replace(b.id, "I"))
        self.assertIn(a.csrf, a.cookie)
        self.db.sql("ALTER TABLE agencies RENAME TO agencies_hidden")         # DDL announces nothing
        try:
            r = self.server.get("/s/web-kept")
            self.assertEqual(r.status, 200, "a kept view reads no table: " + r.text[:300])
            self.assertIn('value="STP"', r.text)
            self.db.sql("UPDATE agencies_hidden SET name = name || ' (mới)' WHERE code = 'STP'")
            # the notification reaches the server's listener a moment after the commit
            h.wait_for(lambda: self.server.get("/s/web-kept").status, 30,
                       "the change to drop the view: the page reads the tables again", ok=lambda st: st == 500)
        finally:
            self.db.sql("ALTER TABLE agencies_hidden RENAME TO agencies")
        try:
            r = self.server.get("/s/web-kept")
            self.assertEqual(r.status, 200, r.text[:300])
            self.assertIn(" (mới)</option>", r.text)
        finally:
            self.db.sql("UPDATE agencies SET name = left(name, -6) WHERE code = 'STP'")
        self.assertNotIn("(mới)", self.open_form("web-kept").text)

    def test_static_script(self):
        r = self.server.get("/static/form.js")
        self.assertEqual(r.status, 200)
        self.assertIn("javascript", r.headers["Content-Type"])
        with open(os.path.join(h.ROOT, "server", "pages", "static", "form.js"), "rb") as f:
            self.assertEqual(r.body, f.read(), "the served form.js differs from server/pages/static/form.js")

    # ---- POST ----

    def test_post_valid(self):
        page = self.open_form("web-open")
        fields = [("_agency", "STC"), ("A.used", "1"), ("A.channels", "2"), ("A.channels", "1"),
                  ("A.age", "42"), ("A.note", "Cán bộ nhiệt tình <b>&</b>"), ("B1", "2"), ("B2", "4"), ("P1", "3")]
        r = self.post("web-open", page, fields)
        self.assertEqual(r.status, 303, r.text[:1000])
        self.assertEqual(r.headers["Location"], "/s/web-open/thanks")
        rows = [x for x in self.rows("web-open") if x[0] == page.id]
        self.assertEqual(len(rows), 1)
        cid, agency, channel, codes, answers = rows[0]
        self.assertEqual((agency, channel), ("STC", "web"))
        self.assertEqual(codes, "{1,2,4,3}")             # slots: A.used, B1, B2, P1
        a = json.loads(answers)
        self.assertEqual(a["A.channels"], [1, 2])
        self.assertEqual(a["A.note"], "Cán bộ nhiệt tình <b>&</b>")
        self.assertEqual(a["A.age"], 42)
        thanks = self.server.get("/s/web-open/thanks")
        self.assertEqual(thanks.status, 200)
        self.assertIn("Cảm ơn", thanks.text)
        # the same post again (a double click, a reload): one row, same thanks
        r = self.post("web-open", page, fields)
        self.assertEqual(r.status, 303)
        self.assertEqual(len([x for x in self.rows("web-open") if x[0] == page.id]), 1)
        # the same id with other answers: refused
        r = self.post("web-open", page, [("_agency", "STC"), ("A.used", "0")])
        self.assertEqual(r.status, 409)

    def test_post_invalid_keeps_answers(self):
        page = self.open_form("web-open")
        fields = [("_agency", "SNV"), ("A.used", "0"), ("A.channels", "1"), ("A.age", "abc"),
                  ("A.note", "giữ lại ý kiến này"), ("B1", "7"), ("P1", "2")]
        r = self.post("web-open", page, fields)
        self.assertEqual(r.status, 422)
        t = r.text
        self.assertIn("Phiếu chưa gửi được", t)
        # each error beside its field, linked by aria-describedby
        for qid in ("A.channels", "A.age", "B1"):
            self.assertRegex(t, rf'<fieldset id="q-{re.escape(qid)}"[^>]* aria-invalid="true" aria-describedby="e-{re.escape(qid)}"')
            self.assertIn(f'<p class="err" id="e-{qid}">', t)
        self.assertIn("không phải là một số", t)
        self.assertIn("không có trong các phương án", t)
        # every answer kept
        self.assertIn('name="A.used" value="0" checked', t)
        self.assertIn('name="A.channels" value="1" checked', t)
        self.assertIn('name="P1" value="2" checked', t)
        self.assertIn('value="abc"', t)
        self.assertIn("giữ lại ý kiến này</textarea>", t)
        self.assertIn('<option value="SNV" selected>', t)
        self.assertIn(f'name="_id" value="{page.id}"', t)
        self.assertEqual([x for x in self.rows("web-open") if x[0] == page.id], [])
        # what a respondent typed comes back escaped, never as markup
        evil = '</textarea><script>alert(1)</script>"><img src=x onerror=alert(2)>'
        r = self.post("web-open", page, [("_agency", "SNV"), ("A.used", "0"), ("A.age", evil), ("A.note", evil)])
        self.assertEqual(r.status, 422)
        self.assertNotIn("<script>alert", r.text)
        self.assertNotIn("<img src=x", r.text)
        self.assertIn("&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;", r.text)
        # a required question left out, and no agency
        r = self.post("web-open", page, [("_agency", "")])
        self.assertEqual(r.status, 422)
        self.assertIn('<p class="err" id="e-A.used">Vui lòng trả lời câu hỏi này.</p>', r.text)
        self.assertIn('<p class="err" id="e-_agency">', r.text)
        # an agency the round does not cover
        page2 = self.open_form("web-two")
        r = self.post("web-two", page2, [("_agency", "STC"), ("A.used", "0")])
        self.assertEqual(r.status, 422)
        self.assertIn('id="e-_agency"', r.text)

    def test_csrf(self):
        page = self.open_form("web-open")
        fields = [("_agency", "SNV"), ("A.used", "0")]
        self.assertEqual(self.post("web-open", page, fields, cookie="").status, 403)         # no cookie
        self.assertEqual(self.post("web-open", page, fields, csrf="").status, 403)           # no field
        self.assertEqual(self.post("web-open", page, fields, csrf="0" * 64).status, 403)     # wrong field
        other = self.open_form("web-open")
        self.assertEqual(self.post("web-open", page, fields, cookie=other.cookie).status, 403)
        self.assertEqual([x for x in self.rows("web-open") if x[0] == page.id], [])
        self.assertEqual(self.post("web-open", page, fields).status, 303)

    def test_bad_bodies(self):
        page = self.open_form("web-open")
        hdr = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": page.cookie}
        r = self.server.post("/s/web-open", b"_csrf=" + page.csrf.encode() + b"&A.note=%FF%FE", headers=hdr)
        self.assertEqual(r.status, 400)
        r = self.server.post("/s/web-open", "x" * (65 * 1024), headers=hdr)
        self.assertEqual(r.status, 413)
        r = self.server.post("/s/web-open", "{}", headers={"Content-Type": "application/json", "Cookie": page.cookie})
        self.assertEqual(r.status, 415)

    def test_invitation(self):
        p = sipas(self.db, "invites", "create", "--survey", "web-inv", "--agency", "STC", "--count", "2")
        self.assertEqual(p.returncode, 0, p.stderr)
        codes = p.stdout.split()
        r = self.server.get("/s/web-inv")
        self.assertEqual(r.status, 200)
        self.assertIn('name="invite"', r.text)                # asks for the code
        r = self.server.get("/s/web-inv?invite=AAAA-BBBB-CCCC-DDDD")
        self.assertEqual(r.status, 403)
        self.assertIn("Mã mời không đúng", r.text)
        page = self.open_form("web-inv", "?invite=" + codes[0].lower())   # typed in lower case
        self.assertIn("Sở Tài chính", page.text)
        self.assertNotIn("<select", page.text)
        r = self.post("web-inv", page, [("_invite", codes[0].lower()), ("A.used", "0")])
        self.assertEqual(r.status, 303, r.text[:800])
        rows = self.rows("web-inv")
        self.assertEqual([(x[0], x[1]) for x in rows], [(page.id, "STC")])
        # the invitation knows only that it was used (and the day): nothing links it to the response
        self.assertEqual(self.db.sql("SELECT count(*) FROM invites WHERE used_at IS NOT NULL"
                                     " AND used_at = date_trunc('day', used_at, 'UTC')"), "1")
        r = self.server.get("/s/web-inv?invite=" + codes[0])
        self.assertEqual(r.status, 409)
        self.assertIn("đã được sử dụng", r.text)
        page2 = self.open_form("web-inv", "?invite=" + codes[1])
        r = self.post("web-inv", page2, [("_invite", codes[0]), ("A.used", "0")])   # the used one
        self.assertEqual(r.status, 409)
        r = self.post("web-inv", page2, [("A.used", "0")])                           # none
        self.assertEqual(r.status, 403)
        r = self.post("web-inv", page2, [("_invite", "AAAA-BBBB-CCCC-DDDD"), ("A.used", "0")])
        self.assertEqual(r.status, 403)
        self.assertEqual(len(self.rows("web-inv")), 1)


class CLI(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = h.Database()
        h.run_sipas(["agencies", "import", os.path.join(h.ROOT, "sql/demo/agencies-lang-son.csv")],
                    cls.db.url, check=True)
        cls.tmp = tempfile.mkdtemp(prefix="sipas-cli-")

    @classmethod
    def tearDownClass(cls):
        cls.db.close()

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def test_help(self):
        for cmd in (["forms", "--help"], ["forms", "load", "--help"], ["survey", "--help"],
                    ["survey", "create", "--help"], ["invites", "--help"], ["invites", "create", "--help"]):
            p = h.run_sipas(cmd)
            self.assertEqual(p.returncode, 0, cmd)
            self.assertIn("usage", p.stdout, cmd)
        self.assertEqual(h.run_sipas(["forms"]).returncode, 2)
        self.assertEqual(h.run_sipas(["survey", "frob"]).returncode, 2)

    def test_forms_load(self):
        bad = os.path.join(h.ROOT, "tests", "data", "forms", "invalid", "duplicate-question-id", "form.json")
        p = sipas(self.db, "forms", "load", bad)
        self.assertEqual(p.returncode, 2)
        self.assertRegex(p.stderr, re.escape(bad) + r": \$\.sections\[\d+\]\.questions\[\d+\]\.id: ")
        self.assertEqual(self.db.sql("SELECT count(*) FROM forms"), "0")
        p = sipas(self.db, "forms", "load", os.path.join(self.tmp, "missing.json"))
        self.assertEqual(p.returncode, 2)
        self.assertIn("missing.json", p.stderr)
        # a folder of *.json
        folder = os.path.join(self.tmp, "forms")
        os.makedirs(folder, exist_ok=True)
        with open(ALL_TYPES, encoding="utf-8") as f:
            src = json.load(f)
        src["id"] = "cli-form"
        with open(os.path.join(folder, "cli-form.json"), "w", encoding="utf-8") as f:
            json.dump(src, f, ensure_ascii=False)
        p = sipas(self.db, "forms", "load", folder)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("registered", p.stdout)
        p = sipas(self.db, "forms", "load", folder)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("unchanged", p.stdout)
        # a change while no round uses it: replaced; once a round uses it: refused, naming the round
        src["title"] = "Phiếu đã sửa"
        with open(os.path.join(folder, "cli-form.json"), "w", encoding="utf-8") as f:
            json.dump(src, f, ensure_ascii=False)
        p = sipas(self.db, "forms", "load", folder)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("replaced", p.stdout)
        sipas(self.db, "survey", "create", "--id", "uses-cli-form", "--form", "cli-form", "--title", "T", check=True)
        src["title"] = "Sửa lần hai"
        with open(os.path.join(folder, "cli-form.json"), "w", encoding="utf-8") as f:
            json.dump(src, f, ensure_ascii=False)
        p = sipas(self.db, "forms", "load", folder)
        self.assertEqual(p.returncode, 2)
        self.assertIn("uses-cli-form", p.stderr)
        self.assertIn("cli-form.json", p.stderr)
        self.assertEqual(self.db.sql("SELECT title FROM forms WHERE form_key = 'cli-form'"), "Phiếu đã sửa")

    def test_survey_create(self):
        sipas(self.db, "forms", "load", ALL_TYPES, check=True)
        frame = self.write("frame.csv", "stratum,population,target\nSNV,3271,81\nSTC,7268,\n")
        p = sipas(self.db, "survey", "create", "--id", "cli-r1", "--form", "all-types.v2", "--title", "Đợt 1",
                  "--baseline", "79.30", "--baseline-label", "SIPAS 2023", "--frame", frame)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.db.sql("SELECT s.baseline, s.baseline_label, s.access, s.status, f.version FROM surveys s"
                                     " JOIN forms f ON f.id = s.form_id WHERE s.code = 'cli-r1'"),
                         "79.3|SIPAS 2023|open|open|3")
        self.assertEqual(self.db.sql("SELECT stratum, population, coalesce(target::text, '-'), agency_id IS NOT NULL"
                                     " FROM strata ORDER BY stratum"), "SNV|3271|81|t\nSTC|7268|-|t")
        bad = self.write("bad-frame.csv", "stratum,population\nSNV,10\nSTC,many\n")
        p = sipas(self.db, "survey", "create", "--id", "cli-r2", "--form", "all-types.v2", "--title", "T", "--frame", bad)
        self.assertEqual(p.returncode, 2)
        self.assertIn("bad-frame.csv", p.stderr)
        self.assertIn("row 2", p.stderr)
        self.assertIn("population", p.stderr)
        cases = [
            (["--id", "cli-r1", "--form", "all-types.v2", "--title", "T"], "cli-r1"),         # exists
            (["--id", "x y", "--form", "all-types.v2", "--title", "T"], "--id"),
            (["--id", "cli-r3", "--form", "nope", "--title", "T"], "nope"),
            (["--id", "cli-r3", "--form", "all-types.v2", "--form-version", "9", "--title", "T"], "version"),
            (["--id", "cli-r3", "--form", "all-types.v2", "--title", "T", "--baseline", "120"], "--baseline"),
            (["--id", "cli-r3", "--form", "all-types.v2", "--title", "T", "--access", "secret"], "--access"),
            (["--id", "cli-r3", "--form", "all-types.v2", "--title", "T", "--agency", "NOPE"], "NOPE"),
            (["--id", "cli-r3", "--form", "all-types.v2"], "--title"),
            (["--id", "cli-r3", "--form", "all-types.v2", "--title", "T", "--frame", "/nonexistent.csv"], "nonexistent"),
        ]
        for args, needle in cases:
            p = sipas(self.db, "survey", "create", *args)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            self.assertIn(needle, p.stderr, args)
        self.assertEqual(self.db.sql("SELECT count(*) FROM surveys WHERE code IN ('cli-r2', 'cli-r3')"), "0")
        self.assertEqual(sipas(self.db, "survey", "close", "nope").returncode, 2)
        self.assertEqual(h.run_sipas(["survey", "close", "cli-r1"], "postgresql://nobody@127.0.0.1:1/none").returncode, 1)

    def test_invites_create(self):
        sipas(self.db, "forms", "load", ALL_TYPES, check=True)
        sipas(self.db, "survey", "create", "--id", "cli-inv", "--form", "all-types.v2", "--title", "Mời",
              "--access", "invite", "--agency", "SNV", check=True)
        p = sipas(self.db, "invites", "create", "--survey", "cli-inv", "--agency", "SNV", "--count", "50")
        self.assertEqual(p.returncode, 0, p.stderr)
        codes = p.stdout.split()
        self.assertEqual(len(codes), 50)
        self.assertEqual(len(set(codes)), 50)
        for c in codes:
            self.assertRegex(c, r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")
        # only the hash is stored, tied to the agency
        plain = codes[0].replace("-", "")
        self.assertEqual(self.db.sql("SELECT count(*) FROM invites i JOIN agencies a ON a.id = i.agency_id"
                                     f" WHERE a.code = 'SNV' AND i.code_hash = sha256('{plain}'::bytea)"), "1")
        self.assertEqual(self.db.sql(f"SELECT count(*) FROM invites WHERE encode(code_hash, 'escape') LIKE '%{plain}%'"), "0")
        for args, needle in ((["--survey", "nope", "--agency", "SNV", "--count", "1"], "nope"),
                             (["--survey", "cli-inv", "--agency", "STC", "--count", "1"], "STC"),
                             (["--survey", "cli-inv", "--agency", "NOPE", "--count", "1"], "NOPE"),
                             (["--survey", "cli-inv", "--agency", "SNV", "--count", "0"], "--count"),
                             (["--survey", "cli-inv", "--agency", "SNV"], "--count")):
            p = sipas(self.db, "invites", "create", *args)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            self.assertIn(needle, p.stderr)
        self.assertEqual(self.db.sql("SELECT count(*) FROM invites"), "50")


if __name__ == "__main__":
    h.main()
