#!/usr/bin/env python3
"""Offline collection over HTTP (issue 15): the channel rules of the JSON API (web and api for
anyone; interview, phone and paper for a team or admin caller acting for the response's
agency, a session with its CSRF secret), the channel `interview` through uploads, exports and
progress, the service worker, manifests and the interviewers' page, and the byte budget of the
scripts and the form. The browser side is tests/browser/test_offline_browser.py."""
import csv
import io
import json
import os
import re
import unittest
import urllib.parse
import uuid

import harness as h

h.require_db()

FORM = os.path.join(h.ROOT, "survey-forms", "agency-2024-individual.json")
FORMS = os.path.join(h.ROOT, "survey-forms")
S = "off-api"
ANSWERS = {"field": 1, "submit_via": 1, "S1_1": 4, "S1_2": 5}
FORM_CT = "application/x-www-form-urlencoded"


class Offline(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = h.Database()
        url = cls.db.url
        h.run_sipas(["agencies", "import", os.path.join(h.ROOT, "sql/demo/agencies-lang-son.csv")], url, check=True)
        h.run_sipas(["forms", "load", FORMS], url, check=True)
        h.run_sipas(["survey", "create", "--id", S, "--form", "agency-2024-individual", "--title", "Ngoại tuyến"],
                    url, check=True)
        h.run_sipas(["survey", "create", "--id", "off-inv", "--form", "agency-2024-individual", "--title",
                     "Theo giấy mời", "--access", "invite"], url, check=True)

        def token(*args):
            return h.run_sipas(["token", "create", *args], url, check=True).stdout.strip()
        cls.admin = token("--role", "admin")
        cls.team = token("--role", "team", "--agency", "SNV", "--agency", "STC", "--name", "Tổ phỏng vấn")
        cls.analyst = token("--role", "analyst")
        cls.server = h.Server(url)

    @classmethod
    def tearDownClass(cls):
        status = cls.server.stop()
        log = cls.server.read_log()
        cls.db.close()
        assert status == 0, f"sipas serve exited {status}\n{log}"

    def post(self, body, token=None, headers=None, survey=S):
        return self.server.post(f"/api/v1/surveys/{survey}/responses", body, token=token, headers=headers)

    def stored(self, rid):
        return self.db.sql(f"SELECT r.channel || ' ' || a.code FROM responses r JOIN agencies a ON a.id = r.agency_id"
                           f" WHERE r.client_id = '{rid}'")

    def body(self, channel=None, agency="SNV", **kw):
        b = {"id": str(uuid.uuid4()), "agency": agency, "answers": dict(ANSWERS)}
        if channel:
            b["channel"] = channel
        b.update(kw)
        return b

    # ---- the channel of a JSON response ----

    def test_public_channels(self):
        for channel, want in ((None, "api"), ("web", "web"), ("api", "api")):
            b = self.body(channel)
            r = self.post(b)
            self.assertEqual(r.status, 201, r.body)
            self.assertEqual(self.stored(b["id"]), want + " SNV")
        r = self.post(self.body("fax"))
        self.assertEqual(r.status, 422, r.body)
        self.assertEqual([(e["field"], e["code"]) for e in r.json()["errors"]], [("channel", "invalid_channel")])

    def test_staff_channels_need_a_team_of_the_agency(self):
        for channel in ("interview", "phone", "paper"):
            b = self.body(channel)
            r = self.post(b)                                   # anonymous: log in first
            self.assertEqual((r.status, r.json()["error"]["code"]), (401, "staff_only"), r.body)
            r = self.post(b, token=self.analyst)
            self.assertEqual((r.status, r.json()["error"]["code"]), (403, "staff_only"), r.body)
            r = self.post(dict(b, agency="SYT"), token=self.team)   # not this team's agency
            self.assertEqual((r.status, r.json()["error"]["code"]), (403, "agency_forbidden"), r.body)
            self.assertEqual(self.stored(b["id"]), "")
            r = self.post(b, token=self.team)
            self.assertEqual(r.status, 201, r.body)
            self.assertEqual(self.stored(b["id"]), channel + " SNV")
            r = self.post(b, token=self.team)                  # the resend after a lost acknowledgement
            self.assertEqual((r.status, r.json()), (200, {"id": b["id"]}))
            self.assertEqual(self.db.sql(f"SELECT count(*) FROM responses WHERE client_id = '{b['id']}'"), "1")
        b = self.body("interview", agency="SYT")               # an admin acts for every agency
        self.assertEqual(self.post(b, token=self.admin).status, 201)
        self.assertEqual(self.stored(b["id"]), "interview SYT")

    def test_interviews_need_no_invitation(self):
        b = self.body("interview")
        self.assertEqual(self.post(b, survey="off-inv").status, 401)
        r = self.post(b, token=self.team, survey="off-inv")
        self.assertEqual(r.status, 201, r.body)
        r = self.post(self.body(), survey="off-inv")           # a citizen still needs one
        self.assertEqual((r.status, r.json()["error"]["code"]), (403, "invite_required"))

    def login(self):
        page = self.server.get("/login")
        csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text).group(1)
        r = self.server.post("/login", urllib.parse.urlencode({"csrf": csrf, "token": self.team}),
                             headers={"Content-Type": FORM_CT, "Cookie": page.headers["Set-Cookie"].split(";")[0]})
        self.assertEqual(r.status, 303, r.body)
        return r.headers["Set-Cookie"].split(";")[0]

    def test_session_sends_its_csrf_secret(self):
        sid = self.login()
        page = self.server.get(f"/collect/{S}", headers={"Cookie": sid})
        self.assertEqual(page.status, 200, page.body)
        secret = re.search(r'name="_csrf" value="([0-9a-f]{64})"', page.text).group(1)
        b = self.body("phone", agency="STC")
        r = self.post(b, headers={"Cookie": sid})
        self.assertEqual((r.status, r.json()["error"]["code"]), (403, "csrf"))
        r = self.post(b, headers={"Cookie": sid, "X-CSRF-Token": "0" * 64})
        self.assertEqual(r.status, 403)
        self.assertEqual(self.stored(b["id"]), "")
        r = self.post(b, headers={"Cookie": sid, "X-CSRF-Token": secret})
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(self.stored(b["id"]), "phone STC")

    # ---- interview through uploads, exports and progress ----

    def test_interview_flows_through(self):
        code = "off-flow"
        h.run_sipas(["survey", "create", "--id", code, "--form", "agency-2024-individual", "--title", "Kênh"],
                    self.db.url, check=True)
        up = "serial,agency,channel,field,submit_via,S1_1\nI-1,SNV,interview,1,1,4\nI-2,STC,phone,1,1,2\n"
        r = self.server.post(f"/api/v1/surveys/{code}/uploads", up, token=self.team,
                             headers={"Content-Type": "text/csv"})
        self.assertEqual(r.status, 201, r.body)
        b = self.body("interview")
        self.assertEqual(self.post(b, token=self.team, survey=code).status, 201)
        r = self.server.get(f"/api/v1/surveys/{code}/responses.csv", token=self.analyst)
        self.assertEqual(r.status, 200, r.body)
        rows = list(csv.DictReader(io.StringIO(r.text.lstrip("\ufeff"))))
        self.assertEqual(sorted(x["channel"] for x in rows), ["interview", "interview", "phone"])
        # the export reads back through `sipas analyze` (the channel is a column it accepts)
        path = os.path.join(self.db_dir(), "responses.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write(r.text)
        a = h.run_sipas(["analyze", "--form", FORM, "--by", "channel", "--lonely-psu", "adjust", path])
        self.assertEqual(a.returncode, 0, a.stderr)
        offline = json.loads(a.stdout)
        self.assertEqual([g["by"] for g in offline["groups"]][1:], [{"channel": "interview"}, {"channel": "phone"}])
        # the server's estimates count the interviews as the offline ones do
        def whole():
            r = self.server.get(f"/api/v1/surveys/{code}/estimates?by=agency&lonely_psu=adjust", token=self.analyst)
            return r.json()["groups"][0]["n"] if r.status == 200 else r.body
        h.wait_for(whole, 30, "the round's estimates over the three responses", ok=lambda n: n == offline["groups"][0]["n"])
        self.assertEqual(offline["groups"][0]["n"], 3)

        def progress():
            p = self.server.get(f"/api/v1/surveys/{code}/progress", token=self.analyst).json()
            return sum(x["responses"]["interview"] for x in p["rows"]), p
        n, p = h.wait_for(progress, 30, "progress to count the interviews", ok=lambda v: v[0] == 2)
        self.assertIn("interview", json.dumps(p))
        r = self.server.get(f"/api/v1/surveys/{code}/codebook.csv", token=self.team)
        self.assertIn("interview = Phỏng vấn trực tiếp", r.text)

    def db_dir(self):
        import tempfile
        d = tempfile.mkdtemp(prefix="sipas-offline-")
        self.addCleanup(__import__("shutil").rmtree, d, True)
        return d

    # ---- the worker, the manifests, the page ----

    def test_worker_and_manifests(self):
        r = self.server.get("/sw.js")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.headers["Content-Type"].startswith("text/javascript"))
        # the worker's own policy: this origin only, so it may fetch and keep the pages
        self.assertEqual(r.headers["Content-Security-Policy"], "default-src 'self'; frame-ancestors 'none'")
        for path, start in ((f"/s/{S}/manifest.webmanifest", f"/s/{S}"),
                            (f"/collect/{S}/manifest.webmanifest", f"/collect/{S}")):
            r = self.server.get(path)
            self.assertEqual(r.status, 200, path)
            self.assertTrue(r.headers["Content-Type"].startswith("application/manifest+json"))
            m = r.json()
            self.assertEqual((m["start_url"], m["scope"], m["lang"], m["name"]), (start, start, "vi", "Ngoại tuyến"))
        self.assertEqual(self.server.get("/s/nope/manifest.webmanifest").status, 404)
        page = self.server.get(f"/s/{S}").text
        self.assertIn(f'<link rel="manifest" href="/s/{S}/manifest.webmanifest">', page)
        self.assertIn('<script src="/static/outbox.js" defer></script>', page)

    def test_collect_page(self):
        r = self.server.get(f"/collect/{S}")
        self.assertEqual((r.status, r.headers["Location"]), (303, f"/login?next=/collect/{S}"))
        self.assertEqual(self.server.get(f"/collect/{S}", token=self.analyst).status, 403)
        self.assertEqual(self.server.get("/collect/nope", token=self.team).status, 404)
        page = self.server.get(f"/collect/{S}", token=self.team).text
        agencies = re.findall(r'<option value="([^"]+)"', page)
        self.assertEqual(sorted(agencies), ["SNV", "STC"])          # the team's agencies only
        self.assertIn('value="interview" checked', page)
        self.assertIn('value="phone"', page)
        self.assertIn('data-mode="collect"', page)
        self.assertNotIn("method=\"post\"", page)                    # nothing posts as the web channel
        page = self.server.get(f"/collect/{S}", token=self.admin).text
        self.assertGreater(len(re.findall(r'<option value="([^"]+)"', page)), 2)

    # ---- the budget ----

    def test_budget(self):
        """The scripts an offline page loads, the worker included, stay under 30 KB together, the
        longest shipped form under 50 KB, and nothing comes from another origin."""
        scripts = 0
        for path in ("/sw.js", "/static/form.js", "/static/outbox.js"):
            r = self.server.get(path)
            self.assertEqual(r.status, 200, path)
            self.assertNotRegex(r.text, r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", path)
            scripts += len(r.body)
        print(f"budget: scripts {scripts} bytes of 30720")
        self.assertLess(scripts, 30 * 1024)
        for form in sorted(f for f in os.listdir(FORMS) if f.endswith(".json")):
            with open(os.path.join(FORMS, form), encoding="utf-8") as f:
                fid = json.load(f)["id"]
            code = "budget-" + fid[:20]
            h.run_sipas(["survey", "create", "--id", code, "--form", fid, "--title", "Ngân sách " + fid],
                        self.db.url, check=True)
            for path in (f"/s/{code}", f"/collect/{code}"):
                r = self.server.get(path, token=self.admin if path.startswith("/collect") else None)
                self.assertEqual(r.status, 200, path)
                print(f"budget: {path} {len(r.body)} bytes of 51200")
                self.assertLess(len(r.body), 50 * 1024, path)
                urls = re.findall(r'(?:src|href|action)="([^"]*)"', r.text)
                self.assertTrue(urls, path)
                self.assertEqual([u for u in urls if not u.startswith("/") or u.startswith("//")], [], path)


if __name__ == "__main__":
    h.main()
