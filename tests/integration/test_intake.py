#!/usr/bin/env python3
"""The JSON intake API, POST /api/v1/surveys/{survey}/responses: every status of docs/api.md
(201, 200 resend, 409 conflict / closed round / used invitation, 404, 413, 415, 422 with every
error, 400 for bad JSON and invalid UTF-8), invitations, and concurrency (one invitation used
by many threads at once gives exactly one 201; many responses at once all land)."""
import json
import os
import re
import threading
import time
import unittest
import uuid

import harness as h

h.require_db()

ALL_TYPES = os.path.join(h.ROOT, "tests", "data", "forms", "valid", "all-types", "form.json")
VALID = {"A.used": 1, "A.channels": [2, 1], "A.age": 35, "A.note": "Cán bộ tận tình", "B1": 2, "B2": 5, "P1": 1}
PATH = "/api/v1/surveys/{}/responses"


class Intake(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = h.Database()
        h.run_sipas(["agencies", "import", os.path.join(h.ROOT, "sql/demo/agencies-lang-son.csv")],
                    cls.db.url, check=True)
        h.run_sipas(["forms", "load", ALL_TYPES], cls.db.url, check=True)
        for code, extra in (("api-open", []), ("api-two", ["--agency", "SNV", "--agency", "STP"]),
                            ("api-inv", ["--access", "invite", "--agency", "SNV", "--agency", "STC"]),
                            ("api-closed", [])):
            h.run_sipas(["survey", "create", "--id", code, "--form", "all-types.v2", "--title", "API " + code,
                         *extra], cls.db.url, check=True)
        h.run_sipas(["survey", "close", "api-closed"], cls.db.url, check=True)
        cls.server = h.Server(cls.db.url, env={"SIPAS_THREADS": "16"})

    @classmethod
    def tearDownClass(cls):
        status = cls.server.stop()
        log = cls.server.read_log()
        cls.db.close()
        assert status == 0, f"sipas serve exited {status}\n{log}"

    def send(self, survey, body, **kw):
        return self.server.post(PATH.format(survey), body, **kw)

    def count(self, where="true"):
        return int(self.db.sql(f"SELECT count(*) FROM responses r WHERE {where}"))

    def invites(self, survey, agency, n):
        p = h.run_sipas(["invites", "create", "--survey", survey, "--agency", agency, "--count", str(n)], self.db.url)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout.split()

    def test_created_then_resend(self):
        cid = str(uuid.uuid4())
        body = {"id": cid, "agency": "SNV", "answers": VALID}
        r = self.send("api-open", body)
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.json(), {"id": cid})
        self.assertEqual(r.headers["Content-Type"], "application/json")
        row = self.db.sql(f"SELECT a.code, r.channel, r.stratum, sipas_codes(r.codes), r.answers, sipas_answers(r)"
                          f" FROM responses r JOIN agencies a ON a.id = r.agency_id WHERE r.client_id = '{cid}'"
                          ).split("|")
        self.assertEqual(row[:4], ["SNV", "api", "SNV", "{1,2,5,1}"])
        # stored once: the coded answers in codes, the others in answers
        self.assertEqual(json.loads(row[4]), {"A.channels": [1, 2], "A.age": 35, "A.note": "Cán bộ tận tình"})
        self.assertEqual(json.loads(row[5]), {"A.used": 1, "A.channels": [1, 2], "A.age": 35,
                                              "A.note": "Cán bộ tận tình", "B1": 2, "B2": 5, "P1": 1})
        # the same id and content (keys in another order, upper-case id): 200, nothing added
        again = {"answers": dict(reversed(list(VALID.items()))), "agency": "SNV", "id": cid.upper()}
        r = self.send("api-open", again)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json(), {"id": cid})
        self.assertEqual(self.count(f"client_id = '{cid}'"), 1)
        # the same id, other content: 409
        r = self.send("api-open", {"id": cid, "agency": "SNV", "answers": dict(VALID, P1=2)})
        self.assertEqual(r.status, 409)
        self.assertEqual(r.json()["error"]["code"], "id_conflict")
        r = self.send("api-open", {"id": cid, "agency": "STC", "answers": VALID})
        self.assertEqual(r.status, 409)
        self.assertEqual(self.count(f"client_id = '{cid}'"), 1)

    def test_text_with_quotes(self):
        """Text answers with quotes, backslashes, braces, commas and line breaks survive the
        batch insert (array literals) unchanged."""
        note = 'Anh "Hùng" nói: C:\\tmp\\x, {a,b}\nxuống dòng \\"'
        cid = str(uuid.uuid4())
        r = self.send("api-open", {"id": cid, "agency": "SNV", "answers": {"A.used": 0, "A.note": note}})
        self.assertEqual(r.status, 201, r.body)
        stored = json.loads(self.db.sql(f"SELECT answers FROM responses WHERE client_id = '{cid}'"))
        self.assertEqual(stored["A.note"], note)
        r = self.send("api-open", {"id": cid, "agency": "SNV", "answers": {"A.used": 0, "A.note": note}})
        self.assertEqual(r.status, 200)

    def test_server_made_id(self):
        r = self.send("api-open", {"agency": "STC", "answers": {"A.used": 0}})
        self.assertEqual(r.status, 201, r.body)
        cid = r.json()["id"]
        self.assertRegex(cid, r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        self.assertEqual(self.count(f"client_id = '{cid}'"), 1)

    def test_unknown_survey_and_closed(self):
        r = self.send("no-such-round", {"agency": "SNV", "answers": VALID})
        self.assertEqual(r.status, 404)
        self.assertEqual(set(r.json()["error"]), {"code", "message"})
        r = self.send("api-closed", {"agency": "SNV", "answers": VALID})
        self.assertEqual(r.status, 409)
        self.assertEqual(r.json()["error"]["code"], "survey_closed")
        self.assertEqual(self.count("survey_id = (SELECT id FROM surveys WHERE code = 'api-closed')"), 0)

    def test_validation_lists_every_error(self):
        body = {"id": "not-a-uuid", "answers": {"A.used": 0, "A.channels": [1], "A.age": 7, "B1": 9,
                                                "A.note": "x" * 501, "nope": 1, "P1": "abc"}}
        r = self.send("api-open", body)
        self.assertEqual(r.status, 422, r.body)
        errs = r.json()["errors"]
        by = {(e["field"], e["code"]) for e in errs}
        for want in (("agency", "missing_agency"), ("A.channels", "not_asked"), ("A.age", "out_of_range"),
                     ("B1", "out_of_range"), ("A.note", "too_long"), ("nope", "unknown_question"),
                     ("id", "invalid_id")):
            self.assertIn(want, by, errs)
        self.assertIn("P1", {e["field"] for e in errs})
        for e in errs:
            self.assertEqual(set(e), {"field", "code", "message"})
            self.assertRegex(e["message"], r"[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]",
                             e)   # Vietnamese
        # required question missing
        r = self.send("api-open", {"agency": "SNV", "answers": {}})
        self.assertEqual(r.status, 422)
        self.assertIn(("A.used", "required"), {(e["field"], e["code"]) for e in r.json()["errors"]})
        # an agency unknown, or not covered by the round
        r = self.send("api-open", {"agency": "NOPE", "answers": {"A.used": 0}})
        self.assertEqual(r.status, 422)
        self.assertEqual(r.json()["errors"][0]["field"], "agency")
        r = self.send("api-two", {"agency": "STC", "answers": {"A.used": 0}})
        self.assertEqual(r.status, 422)
        self.assertEqual(r.json()["errors"][0]["field"], "agency")
        self.assertEqual(self.send("api-two", {"agency": "STP", "answers": {"A.used": 0}}).status, 201)

    def test_bad_bodies(self):
        ct = {"Content-Type": "application/json"}
        r = self.send("api-open", b'{"agency": "SNV", "answers": {', headers=ct)
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["error"]["code"], "invalid_json")
        r = self.send("api-open", b'{"agency": "SNV", "answers": {"A.note": "\xff\xfe"}}', headers=ct)
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["error"]["code"], "encoding")
        r = self.send("api-open", b"[" * 100 + b"]" * 100, headers=ct)
        self.assertIn(r.status, (400, 422))
        r = self.send("api-open", b"[1]", headers=ct)                    # JSON, but not an object
        self.assertIn(r.status, (400, 422))
        r = self.send("api-open", b'{"agency":"SNV","agency":"STC","answers":{"A.used":0}}', headers=ct)
        self.assertIn(r.status, (400, 422))
        r = self.send("api-open", json.dumps({"agency": "SNV", "answers": {"A.note": "x" * (70 * 1024)}}), headers=ct)
        self.assertEqual(r.status, 413)
        r = self.send("api-open", json.dumps({"agency": "SNV", "answers": VALID}), headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status, 415)
        r = self.send("api-open", "agency=SNV", headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 415)
        r = self.send("api-open", json.dumps({"agency": "SNV", "answers": {"A.used": 0}}),
                      headers={"Content-Type": "application/json; charset=utf-8"})
        self.assertEqual(r.status, 201)
        r = self.server.get(PATH.format("api-open"))
        self.assertEqual(r.status, 405)

    def test_invitations(self):
        codes = self.invites("api-inv", "STC", 3)
        r = self.send("api-inv", {"agency": "STC", "answers": {"A.used": 0}})
        self.assertEqual(r.status, 403)
        self.assertEqual(r.json()["error"]["code"], "invite_required")
        r = self.send("api-inv", {"agency": "STC", "invite": "ZZZZ-ZZZZ-ZZZZ-ZZZZ", "answers": {"A.used": 0}})
        self.assertEqual(r.status, 403)
        r = self.send("api-inv", {"agency": "SNV", "invite": codes[0], "answers": {"A.used": 0}})   # other agency
        self.assertEqual(r.status, 403)
        cid = str(uuid.uuid4())
        body = {"id": cid, "agency": "STC", "invite": codes[0].lower().replace("-", ""), "answers": {"A.used": 0}}
        r = self.send("api-inv", body)
        self.assertEqual(r.status, 201, r.body)
        plain = codes[0].replace("-", "")
        self.assertEqual(self.db.sql(f"SELECT used_at IS NOT NULL FROM invites WHERE code_hash = sha256('{plain}'::bytea)"), "t")
        self.assertEqual(self.db.sql(f"SELECT count(*) FROM responses WHERE client_id = '{cid}'"), "1")
        # nothing links a response to its invitation (contract §6)
        self.assertEqual(self.db.sql("SELECT count(*) FROM information_schema.columns WHERE table_name = 'invites'"
                                     " AND column_name LIKE '%response%'"), "0")
        r = self.send("api-inv", body)                                  # a resend: 200, not "used"
        self.assertEqual(r.status, 200, r.body)
        r = self.send("api-inv", {"agency": "STC", "invite": codes[0], "answers": {"A.used": 0}})
        self.assertEqual(r.status, 409)
        self.assertEqual(r.json()["error"]["code"], "invite_used")
        r = self.send("api-inv", {"invite": codes[1], "answers": {"A.used": 0}})   # the invitation decides the agency
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(self.db.sql(f"SELECT a.code FROM responses r JOIN agencies a ON a.id = r.agency_id"
                                     f" WHERE r.client_id = '{r.json()['id']}'"), "STC")

    def test_one_invitation_many_threads(self):
        code = self.invites("api-inv", "SNV", 1)[0]
        results, start = [], threading.Barrier(16)

        def use(i):
            start.wait()
            r = self.send("api-inv", {"agency": "SNV", "invite": code, "answers": {"A.used": 0, "P1": 1 + i % 3}})
            results.append(r.status)

        threads = [threading.Thread(target=use, args=(i,)) for i in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(sorted(results), [201] + [409] * 15, results)
        plain = code.replace("-", "")
        self.assertEqual(self.db.sql("SELECT count(used_at) FROM invites"
                                     f" WHERE code_hash = sha256('{plain}'::bytea)"), "1")

    def test_many_at_once(self):
        """Group commit: concurrent responses all land, each 201 after commit, resends 200."""
        ids = [str(uuid.uuid4()) for _ in range(200)]
        results, lock = {}, threading.Lock()

        def post(chunk):
            for cid in chunk:
                r = self.send("api-open", {"id": cid, "agency": "SNV", "answers": {"A.used": 0, "P1": 2}})
                with lock:
                    results[cid] = r.status

        threads = [threading.Thread(target=post, args=(ids[i::20],)) for i in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(set(results.values()), {201})
        quoted = ",".join(f"'{c}'" for c in ids)
        self.assertEqual(self.count(f"client_id IN ({quoted})"), 200)
        # the same ids again, concurrently, some with other content
        results.clear()

        def resend(chunk):
            for n, cid in enumerate(chunk):
                p1 = 2 if n % 2 == 0 else 3
                r = self.send("api-open", {"id": cid, "agency": "SNV", "answers": {"A.used": 0, "P1": p1}})
                with lock:
                    results[cid] = (r.status, p1)

        threads = [threading.Thread(target=resend, args=(ids[i::20],)) for i in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for cid, (status, p1) in results.items():
            self.assertEqual(status, 200 if p1 == 2 else 409, cid)
        self.assertEqual(self.count(f"client_id IN ({quoted})"), 200)

    def test_same_new_id_twice_at_once(self):
        """Two sends of one new id at the same moment: one 201, one 200 (never two rows)."""
        for _ in range(10):
            cid, out, start = str(uuid.uuid4()), [], threading.Barrier(2)

            def go():
                start.wait()
                out.append(self.send("api-open", {"id": cid, "agency": "SNV", "answers": {"A.used": 0}}).status)

            ts = [threading.Thread(target=go) for _ in range(2)]
            for t in ts:
                t.start()
            for t in ts:
                t.join()
            self.assertEqual(sorted(out), [200, 201])
            self.assertEqual(self.count(f"client_id = '{cid}'"), 1)

    def test_rate_limited_route(self):
        db = h.Database()
        try:
            h.run_sipas(["agencies", "import", os.path.join(h.ROOT, "sql/demo/agencies-lang-son.csv")], db.url, check=True)
            h.run_sipas(["forms", "load", ALL_TYPES], db.url, check=True)
            h.run_sipas(["survey", "create", "--id", "rl", "--form", "all-types.v2", "--title", "RL"], db.url, check=True)
            s = h.Server(db.url, env={"SIPAS_RATE_LIMIT": "6"})
            try:
                # 6 a minute, a burst of 4: one more request each 10 s. Under valgrind the requests
                # are slow enough to earn some back, so the bound counts the time they took.
                t0 = time.monotonic()
                replies = [s.post(PATH.format("rl"), {"agency": "SNV", "answers": {"A.used": 0}}) for _ in range(9)]
                took = time.monotonic() - t0
                statuses = [r.status for r in replies]
                self.assertLessEqual(sum(1 for st in statuses if st != 429), 4 + int(took * 6 / 60), (statuses, took))
                self.assertIn(429, statuses)
                r = [r for r in replies if r.status == 429][-1]
                self.assertTrue(int(r.headers["Retry-After"]) >= 1)
                self.assertTrue(re.search(r"[ạảấ]", r.json()["error"]["message"]))
            finally:
                s.stop()
        finally:
            db.close()


if __name__ == "__main__":
    h.main()
