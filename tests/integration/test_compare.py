#!/usr/bin/env python3
"""This round against another by agency, by level and by a question (issue 13, contract §8):
`compare?against=OTHER&by=agency` over HTTP equals R's survey package (svyby on each round,
then the independent-samples formulas; tests/golden/compare, make-golden-compare.R) with the
golden tolerances, and every grouping equals the formulas applied to the two rounds' own
estimates."""
import json
import math
import os
import tempfile
import unittest

import harness as h

h.require_db()

CASE = os.path.join(h.ROOT, "tests", "golden", "compare")
# tests/golden/README.md: estimates to a relative 1e-9, se 1e-7, t and p-values 1e-6
TOL = {"estimate": 1e-9, "against": 1e-9, "diff": 1e-9, "se": 1e-7, "t": 1e-6, "p_value": 1e-6}


def near(got, want, rel, what):
    assert isinstance(got, (int, float)), f"{what}: {got!r}"
    assert math.isclose(got, want, rel_tol=rel, abs_tol=1e-12), f"{what}: {got!r}, R {want!r}"


class Compare(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="sipas-cmp-")
        cls.db = h.Database()
        url = cls.db.url
        h.run_sipas(["agencies", "import", os.path.join(h.ROOT, "sql/demo/agencies-lang-son.csv")], url, check=True)
        h.run_sipas(["forms", "load", os.path.join(CASE, "form.json")], url, check=True)
        for code, title in (("cmp1", "Đợt 1"), ("cmp2", "Đợt 2")):
            h.run_sipas(["survey", "create", "--id", code, "--form", "compare-golden", "--title", title,
                         "--frame", os.path.join(CASE, "frame.csv")], url, check=True)
        cls.admin = h.run_sipas(["token", "create", "--role", "admin", "--name", "Quản trị"], url,
                                check=True).stdout.strip()
        cls.analyst = h.run_sipas(["token", "create", "--role", "analyst", "--name", "Phân tích"], url,
                                  check=True).stdout.strip()
        cls.server = h.Server(url)
        for code, name in (("cmp1", "round1.csv"), ("cmp2", "round2.csv")):
            with open(os.path.join(CASE, name), "rb") as f:
                r = cls.server.post(f"/api/v1/surveys/{code}/uploads", body=f.read(),
                                    headers={"Content-Type": "text/csv"}, token=cls.admin, timeout=300)
            assert r.status == 201, r.body

    @classmethod
    def tearDownClass(cls):
        status = cls.server.stop()
        log = cls.server.read_log()
        cls.db.close()
        assert status == 0, f"sipas serve exited {status}\n{log}"

    def get(self, path):
        r = self.server.get(path, token=self.analyst)
        return r

    def doc(self, path):
        r = self.get(path)
        self.assertEqual(r.status, 200, r.body)
        return r.json()

    def test_by_agency_equals_r(self):
        with open(os.path.join(CASE, "expected.json"), encoding="utf-8") as f:
            want = json.load(f)
        got = self.doc("/api/v1/surveys/cmp1/compare?against=cmp2&by=agency")
        self.assertEqual((got["survey"], got["against"]), ("cmp1", "cmp2"))
        # the whole round first, then the agencies of both rounds (X.CAOLOC is only in the
        # first, LS only in the second)
        self.assertEqual([g["by"] for g in got["groups"]], [g["by"] for g in want["groups"]])
        self.assertEqual([g["by"].get("agency") for g in got["groups"]], [None, "SNV", "STC", "STP"])
        checked = 0
        for gg, gw in zip(got["groups"], want["groups"]):
            self.assertEqual(set(gg), {"by", "n", "n_against", "comparisons"})
            self.assertEqual((gg["n"], gg["n_against"]), (gw["n"], gw["n_against"]))
            self.assertEqual([c["index"] for c in gg["comparisons"]], [c["index"] for c in gw["comparisons"]])
            for cg, cw in zip(gg["comparisons"], gw["comparisons"]):
                what = f"{gg['by']} {cg['index']}"
                for k, rel in TOL.items():
                    near(cg[k], cw[k], rel, f"{what} {k}")
                    checked += 1
                self.assertEqual((cg["df"], cg["n"], cg["n_against"]), (cw["df"], cw["n"], cw["n_against"]), what)
        self.assertEqual(checked, 4 * 8 * len(TOL))
        # the whole round's comparisons stay where they were before there were groups
        self.assertEqual(got["comparisons"], got["groups"][0]["comparisons"])
        self.assertEqual(self.doc("/api/v1/surveys/cmp1/compare?against=cmp2")["groups"][:1], got["groups"][:1])

    def check_formulas(self, query, key, groups):
        """Every group of compare?against&QUERY is the formulas on the two rounds' estimates."""
        got = self.doc(f"/api/v1/surveys/cmp1/compare?against=cmp2&{query}")
        one = {json.dumps(g["by"]): g for g in self.doc(f"/api/v1/surveys/cmp1/estimates?{query}")["groups"]}
        two = {json.dumps(g["by"]): g for g in self.doc(f"/api/v1/surveys/cmp2/estimates?{query}")["groups"]}
        both = [b for b in one if b in two]
        self.assertEqual([json.dumps(g["by"]) for g in got["groups"]], both)
        self.assertEqual(len(both), groups, both)
        for g in got["groups"]:
            a, b = one[json.dumps(g["by"])], two[json.dumps(g["by"])]
            self.assertEqual((g["n"], g["n_against"]), (a["n"], b["n"]))
            for c, ea, eb in zip(g["comparisons"], a["estimates"], b["estimates"]):
                self.assertEqual(c["index"], ea["index"])
                near(c["estimate"], ea["estimate"], 1e-12, key)
                near(c["against"], eb["estimate"], 1e-12, key)
                near(c["diff"], ea["estimate"] - eb["estimate"], 1e-9, key)
                near(c["se"], math.hypot(ea["se"], eb["se"]), 1e-12, key)
                self.assertEqual(c["df"], min(ea["df"], eb["df"]))
                near(c["t"], c["diff"] / c["se"], 1e-12, key)
                self.assertTrue(0 <= c["p_value"] <= 1)
        return got

    def test_by_level_and_question(self):
        # SNV, STC and STP are departments; the province (LS) and the commune (X.CAOLOC) are each
        # in one round only
        lv = self.check_formulas("by=level", "level", 2)
        self.assertTrue(all(set(g["by"]) <= {"level"} for g in lv["groups"]))
        q = self.check_formulas("by=gender", "gender", 3)
        self.assertEqual([g["by"].get("gender") for g in q["groups"]], [None, 1, 2])
        self.check_formulas("by=agency&by=gender", "agency × gender", 7)

    def test_dashboard(self):
        """The dashboard's rounds section and trend hold the compare API's figures."""
        import re
        api = self.doc("/api/v1/surveys/cmp2/compare?against=cmp1&by=agency&lonely_psu=adjust")
        page = self.get("/dashboard/cmp2")
        self.assertEqual(page.status, 200, page.body)
        html = page.text
        self.assertIn('id="against-round" data-code="cmp1"', html)       # the previous round by default
        rows = re.findall(r'<tr data-agency="([^"]*)" data-significant="(\d)"[^>]*>(.*?)</tr>', html)
        self.assertEqual([r[0] for r in rows], ["", "SNV", "STC", "STP"])
        for (key, sig, cells), g in zip(rows, api["groups"]):
            c = g["comparisons"][0]
            self.assertEqual(sig, "1" if c["p_value"] < 0.05 else "0", key)
            got = dict(re.findall(r'data-col="(\w+)">([^<]*)<', cells))
            self.assertEqual(got["estimate"], f"{c['estimate']:.1f}".replace(".", ","), key)
            self.assertEqual(got["against"], f"{c['against']:.1f}".replace(".", ","), key)
        self.assertIn("Sở Nội vụ", html)
        # the first round has none before it; a round that is not of the same form, or itself, is 404
        self.assertIn('id="no-other-round"', self.get("/dashboard/cmp1").text)
        for q in ("cmp1?against=cmp1", "cmp1?against=nope", "cmp1?against=" + "x" * 300):
            self.assertEqual(self.get(f"/dashboard/{q}").status, 404, q)
        self.assertIn('data-code="cmp2"', self.get("/dashboard/cmp1?against=cmp2").text)
        # LS answered in round 2 only: its trend has both rounds, the first without figures
        trend = self.get("/dashboard/cmp2/agency/LS").text
        marks = re.findall(r'<g class="mark" data-key="(cmp\d)" data-estimate="([^"]*)"', trend)
        est = next(g for g in self.doc("/api/v1/surveys/cmp2/estimates?by=agency&lonely_psu=adjust")["groups"]
                   if g["by"].get("agency") == "LS")["estimates"][0]["estimate"]
        self.assertEqual(marks, [("cmp1", "–"), ("cmp2", f"{est:.1f}".replace(".", ","))])
        self.assertIn("Không có phiếu của cơ quan trong đợt này", trend)

    def test_bad_requests(self):
        for q in ("against=cmp2&by=nope", "against=cmp2&by=S1_1", "a=SNV&b=STP&by=agency",
                  "against=cmp2&by=agency&by=level&by=gender&by=agency", "against=" + "x" * 300):
            r = self.get(f"/api/v1/surveys/cmp1/compare?{q}")
            self.assertEqual(r.status, 400, q)
            self.assertEqual(r.json()["error"]["code"], "bad_request", q)
        self.assertEqual(self.get("/api/v1/surveys/cmp1/compare?against=nope&by=agency").status, 404)
        self.assertEqual(self.server.get("/api/v1/surveys/cmp1/compare?against=cmp2&by=agency").status, 401)


if __name__ == "__main__":
    unittest.main()
