#!/usr/bin/env python3
"""Analysts (issue 6): the estimates API equals `sipas analyze` on the round's own export
(by agency, by question, agency × question), by=level, CSV, comparisons, fieldwork progress,
streamed and audited exports, the kept aggregates after a withdrawal, the dashboard pages,
and every route × role × own/other agency."""
import csv
import gzip
import io
import json
import math
import os
import random
import subprocess
import tempfile
import time
import unittest

import harness as h

h.require_db()

FORM = {
    "id": "est-test", "version": 1, "title": "Phiếu thử ước lượng", "respondent": "individual",
    "scales": {"likert5": {"codes": [1, 2, 3, 4, 5],
                           "labels": ["Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng",
                                      "Rất hài lòng"],
                           "positive": [4, 5]}},
    "sections": [
        {"id": "A", "title": "Thông tin", "questions": [
            {"id": "gender", "type": "single", "text": "Giới tính",
             "options": [{"code": 1, "label": "Nam"}, {"code": 2, "label": "Nữ"}]},
            {"id": "online", "type": "multi", "text": "Kênh",
             "options": [{"code": 1, "label": "Trực tiếp"}, {"code": 2, "label": "Trực tuyến"},
                         {"code": 3, "label": "Bưu chính"}]},
            {"id": "note", "type": "text", "text": "Góp ý"}]},
        {"id": "B", "title": "Đánh giá", "questions": [
            {"id": "S1_1", "type": "scale", "scale": "likert5", "text": "Tiếp cận 1"},
            {"id": "S1_2", "type": "scale", "scale": "likert5", "text": "Tiếp cận 2"},
            {"id": "S1_3", "type": "scale", "scale": "likert5", "text": "Tiếp cận 3"},
            {"id": "S2_1", "type": "scale", "scale": "likert5", "text": "Thủ tục 1"},
            {"id": "S2_2", "type": "scale", "scale": "likert5", "text": "Thủ tục 2"}]}],
    "indices": [
        {"id": "sipas", "label": "Chỉ số hài lòng", "of": ["S1", "S2"]},
        {"id": "S1", "label": "Tiếp cận dịch vụ", "of": ["S1_1", "S1_2", "S1_3"]},
        {"id": "S2", "label": "Thủ tục hành chính", "of": ["S2_1", "S2_2"], "weights": [0.4, 0.6]}],
}
ITEMS = ["S1_1", "S1_2", "S1_3", "S2_1", "S2_2"]
HEADER = ["serial", "agency", "channel", "stratum", "psu", "weight", "submitted_at", "gender", "online", "note"] + ITEMS
# agency: (rows, clustered, population, target)
EST_WAIT_S = 10      # server/store/est-store.h EST_STORE_WAIT_MS: how long a request waits for a rebuild
PLAN = {"SNV": (60, False, 3271, 81), "STC": (48, True, 7268, 60), "STP": (40, False, 1591, 39),
        "LS": (30, False, 900, 30), "X.CAOLOC": (35, False, 2400, 40)}


def make_rows(seed, prefix, plan, psu_count=6):
    rnd = random.Random(seed)
    rows = []
    for agency, (n, clustered, _, _) in plan.items():
        p_sat = rnd.uniform(0.55, 0.92)
        for i in range(n):
            v = {"serial": f"{prefix}-{agency}-{i}", "agency": agency,
                 "channel": rnd.choice(["paper", "paper", "phone", "web"]), "stratum": "",
                 "psu": f"C{i % psu_count}" if clustered else "", "weight": "",
                 "submitted_at": f"2026-03-{1 + i % 28:02d}",
                 "gender": rnd.choice(["1", "2", "2", ""]),
                 "online": rnd.choice(["", "1", "1;2", "2;3"]),
                 "note": rnd.choice(["", "Tốt", "Cần \"nhanh\" hơn, nhé"])}
            for q in ITEMS:
                if rnd.random() < 0.07:
                    v[q] = ""
                elif rnd.random() < p_sat:
                    v[q] = rnd.choice(["4", "5"])
                else:
                    v[q] = rnd.choice(["1", "2", "3"])
            rows.append(v)
    return rows


def to_csv(rows):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(HEADER)
    for r in rows:
        w.writerow([r[c] for c in HEADER])
    return out.getvalue().encode()


def close(a, b, path, rel=1e-9):
    """Asserts two estimate documents are equal: numbers to a relative rel, all else exactly."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and set(a) == set(b), f"{path}: keys {sorted(a)} != {sorted(b)}"
        for k in a:
            close(a[k], b[k], f"{path}.{k}", rel)
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), f"{path}: lengths differ"
        for i, (x, y) in enumerate(zip(a, b)):
            close(x, y, f"{path}[{i}]", rel)
    elif isinstance(a, float) or isinstance(b, float):
        assert isinstance(b, (int, float)) and isinstance(a, (int, float)), f"{path}: {a!r} vs {b!r}"
        assert math.isclose(a, b, rel_tol=rel, abs_tol=1e-12), f"{path}: {a!r} vs {b!r}"
    else:
        assert a == b, f"{path}: {a!r} vs {b!r}"


class Estimates(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="sipas-est-")
        cls.form_path = os.path.join(cls.tmp, "est-test.json")
        with open(cls.form_path, "w", encoding="utf-8") as f:
            json.dump(FORM, f, ensure_ascii=False)
        frame = os.path.join(cls.tmp, "frame.csv")
        with open(frame, "w") as f:
            f.write("stratum,population,target\n")
            for a, (_, _, pop, tgt) in PLAN.items():
                f.write(f"{a},{pop},{tgt}\n")
        cls.db = h.Database()
        url = cls.db.url
        h.run_sipas(["agencies", "import", os.path.join(h.ROOT, "sql/demo/agencies-lang-son.csv")], url, check=True)
        h.run_sipas(["forms", "load", cls.form_path], url, check=True)
        for code, title in (("est1", "Đợt 1"), ("est2", "Đợt 2")):
            h.run_sipas(["survey", "create", "--id", code, "--form", "est-test", "--title", title,
                         "--baseline", "79.30", "--baseline-label", "SIPAS 2023", "--frame", frame], url, check=True)
        cls.admin = cls.token("--role", "admin", "--name", "Quản trị")
        cls.analyst = cls.token("--role", "analyst", "--name", "Phân tích")
        cls.team = cls.token("--role", "team", "--agency", "SNV", "--name", "Tổ SNV")
        cls.server = h.Server(url)
        rows = make_rows(1, "A", PLAN)
        cls.upload_main = cls.upload("est1", to_csv(rows))
        extra = make_rows(2, "B", {"SNV": (6, False, 0, 0), "STP": (5, False, 0, 0)})
        for r in extra:        # the withdrawn upload is far less satisfied: withdrawing it must show
            for q in ITEMS:
                r[q] = "1"
        cls.upload_extra = cls.upload("est1", to_csv(extra))
        cls.upload("est2", to_csv(make_rows(3, "C", PLAN)))
        # two responses by the JSON API (no serial, channel api)
        for i in range(2):
            r = cls.server.post("/api/v1/surveys/est1/responses",
                                body={"agency": "SNV", "answers": {"gender": 1, "S1_1": 5, "S1_2": 4, "S1_3": 2,
                                                                   "S2_1": 4, "S2_2": 3 + i, "online": [1, 3]}})
            assert r.status in (200, 201), r.body

    @classmethod
    def tearDownClass(cls):
        status = cls.server.stop()
        log = cls.server.read_log()
        cls.db.close()
        assert status == 0, f"sipas serve exited {status}\n{log}"

    @classmethod
    def token(cls, *args):
        return h.run_sipas(["token", "create", *args], cls.db.url, check=True).stdout.strip()

    @classmethod
    def upload(cls, code, body):
        r = cls.server.post(f"/api/v1/surveys/{code}/uploads", body=body, headers={"Content-Type": "text/csv"},
                            token=cls.admin, timeout=300)
        assert r.status == 201, r.body
        return r.json()["upload"]

    def get(self, path, token=None, **kw):
        return self.server.get(path, token=self.analyst if token is None else token or None, **kw)

    def analyze(self, *by, survey="est1"):
        """sipas analyze on the round's export and frame, both downloaded from the API."""
        resp = self.get(f"/api/v1/surveys/{survey}/responses.csv")
        self.assertEqual(resp.status, 200, resp.body)
        frame = self.get(f"/api/v1/surveys/{survey}/frame.csv")
        self.assertEqual(frame.status, 200, frame.body)
        rp, fp = os.path.join(self.tmp, "responses.csv"), os.path.join(self.tmp, "frame-export.csv")
        with open(rp, "wb") as f:
            f.write(resp.body)
        with open(fp, "wb") as f:
            f.write(frame.body)
        args = ["analyze", "--form", self.form_path, "--frame", fp, "--baseline", "79.30",
                "--baseline-label", "SIPAS 2023"]
        for b in by:
            args += ["--by", b]
        p = h.run_sipas(args + [rp])
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout)

    def estimates(self, query="by=agency", survey="est1"):
        r = self.get(f"/api/v1/surveys/{survey}/estimates?{query}")
        self.assertEqual(r.status, 200, r.body)
        return r.json()

    # ---- the API equals analyze on the export ----

    def test_api_equals_analyze(self):
        api = self.estimates("by=agency")
        self.assertEqual(api["baseline"], {"value": 79.3, "label": "SIPAS 2023"})
        self.assertEqual([g["by"].get("agency") for g in api["groups"]],
                         [None, "LS", "SNV", "STC", "STP", "X.CAOLOC"])
        self.assertEqual(api["groups"][0]["n"], sum(p[0] for p in PLAN.values()) + 11 + 2)
        close(api, self.analyze("agency"), "by=agency")
        close(self.estimates("by=gender"), self.analyze("gender"), "by=gender")
        close(self.estimates("by=agency&by=gender"), self.analyze("agency", "gender"), "agency×gender")
        close(self.estimates("by=agency,gender&ci=wald&confidence=0.9"), self.analyze_opts(), "options")
        close(self.estimates(""), self.analyze(), "whole survey")

    def analyze_opts(self):
        resp = self.get("/api/v1/surveys/est1/responses.csv")
        frame = self.get("/api/v1/surveys/est1/frame.csv")
        rp, fp = os.path.join(self.tmp, "r2.csv"), os.path.join(self.tmp, "f2.csv")
        for path, body in ((rp, resp.body), (fp, frame.body)):
            with open(path, "wb") as f:
                f.write(body)
        p = h.run_sipas(["analyze", "--form", self.form_path, "--frame", fp, "--baseline", "79.30",
                         "--baseline-label", "SIPAS 2023", "--by", "agency", "--by", "gender", "--ci", "wald",
                         "--confidence", "0.9", rp])
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout)

    def test_by_level(self):
        lv = self.estimates("by=level")
        ag = {g["by"]["agency"]: g for g in self.estimates("by=agency")["groups"][1:]}
        self.assertEqual([g["by"].get("level") for g in lv["groups"]], [None, "commune", "department", "province"])
        by = {g["by"]["level"]: g for g in lv["groups"][1:]}
        close(by["province"]["estimates"], ag["LS"]["estimates"], "province = LS")
        close(by["commune"]["estimates"], ag["X.CAOLOC"]["estimates"], "commune = X.CAOLOC")
        self.assertEqual(by["department"]["n"], ag["SNV"]["n"] + ag["STC"]["n"] + ag["STP"]["n"])
        both = self.estimates("by=level&by=gender")
        self.assertTrue(all(set(g["by"]) == {"level", "gender"} for g in both["groups"][1:]))
        self.assertEqual(len(both["groups"]), 1 + 3 * 2)

    def test_csv_format(self):
        r = self.get("/api/v1/surveys/est1/estimates?by=agency&format=csv")
        self.assertEqual(r.status, 200, r.body)
        self.assertTrue(r.headers["Content-Type"].startswith("text/csv"))
        rows = list(csv.DictReader(io.StringIO(r.text)))
        js = self.estimates("by=agency")
        self.assertEqual(len(rows), len(js["groups"]) * (3 + len(ITEMS)))
        snv = [x for x in rows if x["agency"] == "SNV" and x["index"] == "sipas"][0]
        want = [g for g in js["groups"] if g["by"].get("agency") == "SNV"][0]["estimates"][0]
        self.assertTrue(math.isclose(float(snv["estimate"]), want["estimate"], rel_tol=1e-12))
        self.assertTrue(math.isclose(float(snv["se"]), want["se"], rel_tol=1e-12))

    def test_bad_requests(self):
        for q, code in (("by=agency&by=level", 400), ("by=nope", 400), ("by=note", 400), ("by=online", 400),
                        ("by=agency&by=gender&by=S1_1", 400), ("ci=probit", 400), ("confidence=1.5", 400),
                        ("confidence=abc", 400), ("lonely_psu=maybe", 400), ("format=xml", 400),
                        ("by=" + "a" * 300, 400)):
            r = self.get(f"/api/v1/surveys/est1/estimates?{q}")
            self.assertEqual(r.status, code, f"{q}: {r.body}")
            self.assertIn("error", r.json())
        self.assertEqual(self.get("/api/v1/surveys/nope/estimates").status, 404)
        self.assertEqual(self.get("/api/v1/surveys/nope/responses.csv").status, 404)

    # ---- kept aggregates ----

    def test_withdrawal_rebuilds(self):
        # a round of its own, so that other tests keep their numbers
        h.run_sipas(["survey", "create", "--id", "estw", "--form", "est-test", "--title", "W", "--baseline", "79.3",
                     "--baseline-label", "SIPAS 2023",
                     "--frame", os.path.join(self.tmp, "frame.csv")], self.db.url, check=True)
        self.upload("estw", to_csv(make_rows(4, "W", PLAN)))
        bad = make_rows(5, "V", {"SNV": (5, False, 0, 0)})
        for r in bad:
            for q in ITEMS:
                r[q] = "1"
        uid = self.upload("estw", to_csv(bad))
        before = self.estimates("by=agency", "estw")
        self.assertEqual(self.db.sql("SELECT folded FROM est_state e JOIN surveys s ON s.id = e.survey_id"
                                     " WHERE s.code = 'estw'"), str(sum(p[0] for p in PLAN.values()) + 5))
        r = self.server.post(f"/api/v1/uploads/{uid}/withdraw", token=self.admin)
        self.assertIn(r.status, (200, 204), r.body)
        after = self.estimates("by=agency", "estw")
        self.assertGreater(after["groups"][0]["estimates"][0]["estimate"],
                           before["groups"][0]["estimates"][0]["estimate"])
        self.assertEqual(after["groups"][0]["n"], sum(p[0] for p in PLAN.values()))
        close(after, self.analyze("agency", survey="estw"), "after withdrawal")
        # new responses after the rebuild are folded in incrementally and still agree
        self.upload("estw", to_csv(make_rows(6, "N", {"STP": (7, False, 0, 0)})))
        close(self.estimates("by=agency", "estw"), self.analyze("agency", survey="estw"), "after a new upload")

    def test_reply_cache(self):
        """A cached reply is byte for byte what a server without the cache computes."""
        plain = h.Server(self.db.url, env={"SIPAS_RESULT_CACHE": "0"})
        try:
            for q in ("by=agency", "by=level&by=gender", "by=agency&format=csv", "ci=beta&confidence=0.9"):
                path = f"/api/v1/surveys/est1/estimates?{q}"
                first, again = self.get(path), self.get(path)
                other = plain.get(path, token=self.analyst)
                self.assertEqual(first.status, 200)
                self.assertEqual(first.body, again.body, q)
                self.assertEqual(first.body, other.body, q)
                self.assertNotIn("Content-Encoding", first.headers, q)
                # a client that accepts gzip gets the same reply gzipped (a kept reply is
                # compressed once), one that does not gets it as is; a server without the cache
                # never compresses
                for accept in ("gzip, deflate, br", "br;q=1.0, gzip;q=0.5", "*"):
                    gz = self.get(path, headers={"Accept-Encoding": accept})
                    self.assertEqual(gz.status, 200, q)
                    self.assertEqual(gz.headers.get("Content-Encoding"), "gzip", (q, accept))
                    self.assertEqual(gz.headers.get("Vary"), "Accept-Encoding", q)
                    self.assertLess(len(gz.body), len(first.body), q)
                    self.assertEqual(gzip.decompress(gz.body), first.body, (q, accept))
                for accept in ("gzip;q=0", "identity", "deflate, br"):
                    r = self.get(path, headers={"Accept-Encoding": accept})
                    self.assertNotIn("Content-Encoding", r.headers, (q, accept))
                    self.assertEqual(r.body, first.body, (q, accept))
                r = plain.get(path, token=self.analyst, headers={"Accept-Encoding": "gzip"})
                self.assertNotIn("Content-Encoding", r.headers, q)
                self.assertEqual(r.body, first.body, q)
        finally:
            self.assertEqual(plain.stop(), 0, plain.read_log())

    def test_busy_fold(self):
        """While another session holds a round's fold lock (a long fold after a bulk load): an
        upload leaves its rows to the queue, and a request answers at once from the cells as
        they are (the last consistent aggregates), never waiting; cells that must be rebuilt (a
        withdrawal) make a request wait a bounded time, then answer 503 with Retry-After rather
        than pin a database connection. Once the lock is free the next request folds."""
        h.run_sipas(["survey", "create", "--id", "estl", "--form", "est-test", "--title", "L", "--baseline", "79.3",
                     "--baseline-label", "SIPAS 2023", "--frame", os.path.join(self.tmp, "frame.csv")],
                    self.db.url, check=True)
        sid = self.db.sql("SELECT id FROM surveys WHERE code = 'estl'")
        first = sum(p[0] for p in PLAN.values())
        self.upload("estl", to_csv(make_rows(7, "L", PLAN)))              # folded as it is stored
        holder = subprocess.Popen(["psql", "-qAtX", self.db.url], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True)
        try:
            holder.stdin.write(f"SELECT pg_backend_pid();\nSELECT pg_advisory_lock(20260600, {sid});\n")
            holder.stdin.flush()
            holder_pid = holder.stdout.readline().strip()
            self.assertEqual(holder.stdout.readline().strip(), "")      # the lock is held
            more = make_rows(8, "M", {"SNV": (9, False, 0, 0)})
            uid = self.upload("estl", to_csv(more))
            self.assertEqual(self.db.sql(f"SELECT count(*) FROM est_pending WHERE survey_id = {sid}"), "9")
            t0 = time.monotonic()
            r = self.get("/api/v1/surveys/estl/estimates?by=agency")
            self.assertEqual(r.status, 200, r.body)
            self.assertEqual(r.json()["groups"][0]["n"], first)           # the last consistent cells
            self.assertLess(time.monotonic() - t0, EST_WAIT_S)             # did not wait for the lock
            # a withdrawal: the cells must be rebuilt, and that needs the lock
            r = self.server.post(f"/api/v1/uploads/{uid}/withdraw", token=self.admin)
            self.assertIn(r.status, (200, 204), r.body)
            t0 = time.monotonic()
            r = self.get("/api/v1/surveys/estl/estimates?by=agency")
            self.assertEqual(r.status, 503, r.body)
            self.assertEqual(r.headers["Retry-After"], "10")
            self.assertEqual(r.json()["error"]["code"], "folding")
            self.assertGreater(time.monotonic() - t0, EST_WAIT_S - 1)
        finally:
            holder.stdin.close()
            holder.wait(timeout=30)
            holder.stdout.close()
        # psql has quit, but its backend lets the lock go on its own time: wait for it, so that
        # the request below does not merely outwait it
        h.wait_for(lambda: self.db.sql(f"SELECT count(*) FROM pg_stat_activity WHERE pid = {holder_pid}"), 30,
                   "the lock holder's database session to end", ok=lambda n: n == "0")
        r = self.get("/api/v1/surveys/estl/estimates?by=agency")
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["groups"][0]["n"], first)
        close(r.json(), self.analyze("agency", survey="estl"), "after the rebuild")

    # ---- comparisons ----

    def test_compare_agencies(self):
        groups = {g["by"]["agency"]: g for g in self.estimates("by=agency")["groups"][1:]}
        r = self.get("/api/v1/surveys/est1/compare?a=SNV&b=STP")
        self.assertEqual(r.status, 200, r.body)
        c = r.json()
        self.assertEqual(len(c["comparisons"]), 3 + len(ITEMS))
        for i, row in enumerate(c["comparisons"]):
            a, b = groups["SNV"]["estimates"][i], groups["STP"]["estimates"][i]
            self.assertEqual(row["index"], a["index"])
            self.assertTrue(math.isclose(row["diff"], a["estimate"] - b["estimate"], rel_tol=1e-9, abs_tol=1e-9))
            # different strata: independent, Var = Var_A + Var_B
            self.assertTrue(math.isclose(row["se"], math.hypot(a["se"], b["se"]), rel_tol=1e-9), row)
            self.assertTrue(0 <= row["p_value"] <= 1)
            self.assertEqual(row["df"], a["df"] + b["df"])
        for q in ("a=SNV", "a=SNV&b=SNV", "a=SNV&b=STP&against=est2", ""):
            self.assertEqual(self.get(f"/api/v1/surveys/est1/compare?{q}").status, 400, q)
        self.assertEqual(self.get("/api/v1/surveys/est1/compare?a=SNV&b=NOPE").status, 404)
        self.assertEqual(self.get("/api/v1/surveys/est1/compare?a=SNV&b=SYT").status, 404)   # no responses

    def test_compare_rounds(self):
        one = self.estimates("")["groups"][0]["estimates"]
        two = self.estimates("", "est2")["groups"][0]["estimates"]
        r = self.get("/api/v1/surveys/est1/compare?against=est2")
        self.assertEqual(r.status, 200, r.body)
        for row, a, b in zip(r.json()["comparisons"], one, two):
            self.assertEqual(row["index"], a["index"])
            self.assertTrue(math.isclose(row["diff"], a["estimate"] - b["estimate"], rel_tol=1e-9, abs_tol=1e-9))
            self.assertTrue(math.isclose(row["se"], math.hypot(a["se"], b["se"]), rel_tol=1e-9))
            self.assertEqual(row["df"], min(a["df"], b["df"]))
        self.assertEqual(self.get("/api/v1/surveys/est1/compare?against=nope").status, 404)
        self.assertEqual(self.get("/api/v1/surveys/est1/compare?against=est1").status, 400)

    # ---- progress ----

    def test_progress(self):
        r = self.get("/api/v1/surveys/est1/progress", token=self.admin)
        self.assertEqual(r.status, 200, r.body)
        p = r.json()
        rows = {x["agency"]: x for x in p["rows"]}
        self.assertEqual(set(rows), set(PLAN))
        want = make_rows(1, "A", PLAN)
        for agency, (n, _, _, target) in PLAN.items():
            row = rows[agency]
            self.assertEqual(row["target"], target)
            for ch in ("web", "paper", "phone"):
                self.assertEqual(row["responses"][ch], sum(1 for x in want if x["agency"] == agency and x["channel"] == ch)
                                 + sum(1 for x in make_rows(2, "B", {"SNV": (6, False, 0, 0), "STP": (5, False, 0, 0)})
                                       if x["agency"] == agency and x["channel"] == ch))
        self.assertEqual(rows["SNV"]["responses"]["api"], 2)
        self.assertTrue(math.isclose(rows["LS"]["share"], 1.0))
        self.assertEqual(p["total"]["total"], sum(x["total"] for x in p["rows"]))
        # a team token sees its own agencies only
        t = self.get("/api/v1/surveys/est1/progress", token=self.team).json()
        self.assertEqual([x["agency"] for x in t["rows"]], ["SNV"])
        self.assertEqual(t["rows"][0], rows["SNV"])
        c = self.get("/api/v1/surveys/est1/progress?format=csv", token=self.team)
        self.assertEqual(c.status, 200)
        lines = list(csv.DictReader(io.StringIO(c.text)))
        self.assertEqual([x["agency"] for x in lines], ["SNV"])
        self.assertEqual(int(lines[0]["total"]), rows["SNV"]["total"])

    # ---- exports ----

    def test_export_streamed_and_audited(self):
        before = int(self.db.sql("SELECT count(*) FROM audit_log WHERE action = 'export'"))
        r = self.get("/api/v1/surveys/est1/responses.csv")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.headers.get("Transfer-Encoding"), "chunked")     # streamed, no length
        rows = list(csv.DictReader(io.StringIO(r.text)))
        self.assertEqual(list(rows[0].keys()), ["serial", "agency", "channel", "stratum", "psu", "weight", "fpc",
                                                 "submitted_at", "gender", "online", "note"] + ITEMS)
        self.assertEqual(len(rows), sum(p[0] for p in PLAN.values()) + 11 + 2)
        src = {x["serial"]: x for x in make_rows(1, "A", PLAN)}
        got = {x["serial"]: x for x in rows}
        for ser in ("A-SNV-0", "A-STC-7", "A-X.CAOLOC-3"):
            for col in ("agency", "channel", "psu", "gender", "online", "note") + tuple(ITEMS):
                self.assertEqual(got[ser][col], src[ser][col], (ser, col))
        self.assertEqual(sum(1 for x in rows if x["channel"] == "api" and x["serial"] == ""), 2)
        after = self.db.sql("SELECT t.name, a.detail->>'export', a.detail->>'survey' FROM audit_log a"
                            " JOIN tokens t ON t.id = a.token_id WHERE a.action = 'export' ORDER BY a.id DESC LIMIT 1")
        self.assertEqual(after, "Phân tích|responses|est1")
        self.assertEqual(int(self.db.sql("SELECT count(*) FROM audit_log WHERE action = 'export'")), before + 1)
        f = self.get("/api/v1/surveys/est1/frame.csv")
        self.assertEqual(f.text.splitlines()[0], "stratum,population,target")
        self.assertIn("SNV,3271,81", f.text.splitlines())

    # ---- roles ----

    def test_roles(self):
        api = ["/api/v1/surveys/est1/estimates?by=agency", "/api/v1/surveys/est1/compare?a=SNV&b=STP",
               "/api/v1/surveys/est1/responses.csv", "/api/v1/surveys/est1/frame.csv"]
        pages = ["/dashboard/est1", "/dashboard/est1/agency/SNV"]
        for path in api + pages + ["/api/v1/surveys/est1/progress"]:
            r = self.server.get(path)
            if path in pages:
                self.assertEqual(r.status, 303, path)
                self.assertTrue(r.headers["Location"].startswith("/login?next="), r.headers["Location"])
            else:
                self.assertEqual(r.status, 401, path)
        for path in api + pages:
            self.assertEqual(self.get(path, token=self.team).status, 403, path)
            self.assertEqual(self.get(path, token=self.analyst).status, 200, path)
            self.assertEqual(self.get(path, token=self.admin).status, 200, path)
        # progress: team own agency only (checked in test_progress); another team's agency shows nothing
        other = self.token("--role", "team", "--agency", "SYT")
        self.assertEqual(self.get("/api/v1/surveys/est1/progress", token=other).json()["rows"], [])

    # ---- dashboard ----

    def test_dashboard(self):
        r = self.get("/dashboard/est1")
        self.assertEqual(r.status, 200, r.body)
        page = r.text
        self.assertIn('lang="vi"', page)
        self.assertIn("<svg", page)
        self.assertNotIn("http://", page.replace("http://www.w3.org/2000/svg", ""))
        self.assertNotIn("https://", page)
        whole = self.estimates("by=agency")
        head = whole["groups"][0]["estimates"][0]
        self.assertIn(f"{head['estimate']:.1f}".replace(".", ","), page)
        self.assertIn("79,3", page)
        for g in whole["groups"][1:]:
            self.assertIn(g["by"]["agency"], page)
        self.assertIn('name="csrf"', page)
        self.assertIn("/api/v1/surveys/est1/responses.csv", page)
        # the codebook (the upload area's route) is an analysts' export too: linked and readable
        self.assertIn("/api/v1/surveys/est1/codebook.csv", page)
        cb = self.get("/api/v1/surveys/est1/codebook.csv")
        self.assertEqual(cb.status, 200, cb.body)
        self.assertIn("S1_1", cb.text)
        r = self.get("/dashboard/est1/agency/SNV")
        self.assertEqual(r.status, 200, r.body)
        self.assertIn("Tiếp cận dịch vụ", r.text)
        self.assertIn("Tiếp cận 1", r.text)
        self.assertEqual(self.get("/dashboard/est1/agency/NOPE").status, 404)
        self.assertEqual(self.get("/dashboard/nope").status, 404)


if __name__ == "__main__":
    h.main()
