#!/usr/bin/env python3
"""The round's report (issue 13, item 3) and published results (item 4), over HTTP against the
real server: report.pdf's text (pdftotext, poppler-utils) holds the Vietnamese headings with
their diacritics, every agency's name and the API's figures rounded to one decimal with a
decimal comma; its pages are the cover, the summary, the ranking, the elements, one per agency
and the annex, each drawn to a PNG by pdftoppm and kept under meson-logs/report-pages/; its
fonts are all embedded (pdffonts) and only DejaVu; two renders and
`sipas report` give the same bytes; ?agency gives that page alone; roles. Then publish and
unpublish: /results/{survey} and .json are 404 before and after, the JSON is the estimates
document with an agency under 30 responses nulled but for its n, and neither holds free text."""
import csv
import io
import json
import math
import os
import random
import re
import shutil
import struct
import subprocess
import tempfile
import unittest

import harness as h

h.require_db()
for tool in ("pdftotext", "pdffonts", "pdfinfo", "pdftoppm"):
    if not shutil.which(tool):
        print(f"skipped: {tool} (poppler-utils) is not installed")
        raise SystemExit(77)

FORM = {
    "id": "rep-test", "version": 1, "title": "Phiếu thử báo cáo", "respondent": "individual",
    "scales": {"likert5": {"codes": [1, 2, 3, 4, 5],
                           "labels": ["Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng",
                                      "Rất hài lòng"],
                           "positive": [4, 5]}},
    "sections": [
        {"id": "A", "title": "Thông tin", "questions": [
            {"id": "note", "type": "text", "text": "Góp ý"}]},
        {"id": "B", "title": "Đánh giá", "questions": [
            {"id": "S1_1", "type": "scale", "scale": "likert5", "text": "Thông tin thủ tục dễ tìm"},
            {"id": "S1_2", "type": "scale", "scale": "likert5", "text": "Nơi tiếp nhận sạch sẽ"},
            {"id": "S2_1", "type": "scale", "scale": "likert5", "text": "Phí đúng quy định"},
            {"id": "S2_2", "type": "scale", "scale": "likert5", "text": "Trả kết quả đúng hẹn"}]}],
    "indices": [
        {"id": "sipas", "label": "Chỉ số hài lòng", "of": ["S1", "S2"]},
        {"id": "S1", "label": "Tiếp cận dịch vụ", "of": ["S1_1", "S1_2"]},
        {"id": "S2", "label": "Thủ tục hành chính", "of": ["S2_1", "S2_2"]}],
}
ITEMS = ["S1_1", "S1_2", "S2_1", "S2_2"]
# agency: responses in round 1 (SYT under 30: small-sample flags, nulled in /results)
PLAN = {"SNV": 60, "STC": 45, "STP": 40, "SXD": 35, "SYT": 12}
SECRET = "Ý kiến riêng không được công bố"


def rows_csv(seed, prefix, plan):
    rnd = random.Random(seed)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["serial", "agency", "submitted_at", "note"] + ITEMS)
    for agency, n in plan.items():
        p = rnd.uniform(0.55, 0.9)
        for i in range(n):
            w.writerow([f"{prefix}-{agency}-{i}", agency, f"2026-03-{1 + i % 28:02d}", SECRET if i == 0 else ""] +
                       [rnd.choice(["4", "5"]) if rnd.random() < p else rnd.choice(["1", "2", "3"]) for _ in ITEMS])
    return out.getvalue().encode()


def dec1(v):
    """The report's rounding: one decimal, decimal comma (numbers as printf %.1f rounds them)."""
    s = "%.1f" % v
    return ("0.0" if s == "-0.0" else s).replace(".", ",")


class Report(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="sipas-report-")
        form = os.path.join(cls.tmp, "form.json")
        with open(form, "w", encoding="utf-8") as f:
            json.dump(FORM, f, ensure_ascii=False)
        frame = os.path.join(cls.tmp, "frame.csv")
        with open(frame, "w") as f:
            f.write("stratum,population,target\n" + "".join(f"{a},{n * 40},{n + 5}\n" for a, n in PLAN.items()))
        cls.db = h.Database()
        url = cls.db.url
        h.run_sipas(["agencies", "import", os.path.join(h.ROOT, "sql/demo/agencies-lang-son.csv")], url, check=True)
        h.run_sipas(["forms", "load", form], url, check=True)
        for code, title in (("rep1", "Đợt 6 tháng năm 2026"), ("rep0", "Đợt năm 2025")):
            h.run_sipas(["survey", "create", "--id", code, "--form", "rep-test", "--title", title, "--baseline", "79.30",
                         "--baseline-label", "SIPAS 2023", "--frame", frame], url, check=True)
        cls.admin = cls.token("--role", "admin")
        cls.analyst = cls.token("--role", "analyst", "--name", "Phân tích")
        cls.team = cls.token("--role", "team", "--agency", "SNV")
        cls.server = h.Server(url)
        for code, seed in (("rep1", 1), ("rep0", 2)):
            r = cls.server.post(f"/api/v1/surveys/{code}/uploads", body=rows_csv(seed, code, PLAN), token=cls.admin,
                                headers={"Content-Type": "text/csv"})
            assert r.status == 201, r.body
        cls.names = dict(line.split("|") for line in cls.db.sql("SELECT code, name FROM agencies").splitlines())

    @classmethod
    def tearDownClass(cls):
        status = cls.server.stop()
        log = cls.server.read_log()
        cls.db.close()
        shutil.rmtree(cls.tmp, True)
        assert status == 0, f"sipas serve exited {status}\n{log[-3000:]}"

    @classmethod
    def token(cls, *args):
        return h.run_sipas(["token", "create", *args], cls.db.url, check=True).stdout.strip()

    def pdf(self, query="", token=None, status=200):
        r = self.server.get(f"/api/v1/surveys/rep1/report.pdf{query}", token=token or self.analyst)
        self.assertEqual(r.status, status, r.body[:300])
        if status == 200:
            self.assertEqual(r.headers["Content-Type"], "application/pdf")
            self.assertTrue(r.body.startswith(b"%PDF-"))
        return r.body

    def save(self, body, name):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(body)
        return path

    def text(self, path, page=None):
        args = ["pdftotext", "-layout", "-enc", "UTF-8"]
        if page:
            args += ["-f", str(page), "-l", str(page)]
        return subprocess.run(args + [path, "-"], check=True, capture_output=True, text=True).stdout

    def pages(self, path):
        info = subprocess.run(["pdfinfo", path], check=True, capture_output=True, text=True).stdout
        return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))

    def estimates(self, survey="rep1"):
        r = self.server.get(f"/api/v1/surveys/{survey}/estimates?by=agency&lonely_psu=adjust", token=self.analyst)
        self.assertEqual(r.status, 200, r.body)
        return r.json()

    # ---- the report ----

    def test_report_text_and_pages(self):
        path = self.save(self.pdf("?against=rep0"), "report.pdf")
        # cover, summary, ranking, elements, one page per agency, annex
        self.assertEqual(self.pages(path), 4 + len(PLAN) + 1)
        text = self.text(path)
        for s in ("BÁO CÁO KẾT QUẢ KHẢO SÁT", "MỨC ĐỘ HÀI LÒNG", "Đợt 6 tháng năm 2026", "Tóm tắt", "Xếp hạng các cơ quan",
                  "Các yếu tố – toàn đợt", "Phụ lục: Phương pháp", "Tiếp cận dịch vụ", "Thủ tục hành chính",
                  "Ba tiêu chí thấp nhất", "khoảng tin cậy", "Đợt năm 2025", "SIPAS 2023 = 79,3%",
                  "Thời gian thu thập phiếu: từ 01/03/2026 đến 28/03/2026", "Khoảng tin cậy 95%"):
            self.assertIn(s, text)
        self.assertNotIn(SECRET, text)
        est = self.estimates()
        head = est["groups"][0]["estimates"][0]
        self.assertIn(f"Chỉ số hài lòng toàn đợt: {dec1(head['estimate'])}%", text)
        self.assertIn(f"{dec1(head['ci_low'])} – {dec1(head['ci_high'])}", text)
        other = self.estimates("rep0")["groups"][0]["estimates"][0]
        self.assertIn(f"So với đợt Đợt năm 2025 ({dec1(other['estimate'])}%", text)
        groups = {g["by"]["agency"]: g for g in est["groups"][1:]}
        self.assertEqual(set(groups), set(PLAN))
        # each agency's page: its name, n, and each index with the API's rounded figures
        for i, code in enumerate(sorted(PLAN)):
            page = self.text(path, 5 + i)
            self.assertIn(self.names[code], page)
            self.assertIn(f"Mã cơ quan: {code}", page)
            self.assertIn(f"Số phiếu: {PLAN[code]}", page)
            self.assertIn(f"Chỉ tiêu: {PLAN[code] + 5}", page)
            for e in groups[code]["estimates"]:
                flag = "*" if e["flag"] else ""
                self.assertRegex(page, re.escape(dec1(e["estimate"]) + flag) + r"\s+" +
                                 re.escape(f"{dec1(e['ci_low'])} – {dec1(e['ci_high'])}") + r"\s+" + str(e["n"]),
                                 f"{code} {e['index']}")
            if PLAN[code] < 30:
                self.assertIn("dưới 30 phiếu", page)
        # the ranking page names every agency, in the dashboard's order, with its estimate
        ranking = self.text(path, 3)
        order = sorted(PLAN, key=lambda c: (-groups[c]["estimates"][0]["estimate"], c))
        at = [ranking.index(self.names[c]) for c in order]
        self.assertEqual(at, sorted(at))
        for c in order:
            self.assertIn(dec1(groups[c]["estimates"][0]["estimate"]), ranking)

    def test_pages_rendered_to_png(self):
        """Every page drawn by poppler (pdftoppm) and kept as an artefact of the run, under the
        build's meson-logs (SIPAS_ARTEFACTS, set by tests/meson.build) in report-pages/."""
        path = self.save(self.pdf("?against=rep0"), "report-png.pdf")
        out = os.path.join(os.environ.get("SIPAS_ARTEFACTS") or os.path.join(h.ROOT, "build", "meson-logs"),
                           "report-pages")
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        subprocess.run(["pdftoppm", "-r", "50", "-png", path, os.path.join(out, "report")], check=True,
                       capture_output=True)
        pngs = sorted(f for f in os.listdir(out) if f.endswith(".png"))
        self.assertEqual(len(pngs), self.pages(path), pngs)
        self.assertEqual(len(pngs), 4 + len(PLAN) + 1)
        sizes = set()
        for name in pngs:
            with open(os.path.join(out, name), "rb") as f:
                png = f.read()
            self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n", name)
            width, height = struct.unpack(">II", png[16:24])
            sizes.add((width, height))
            self.assertGreater(len(png), 2000, f"{name}: a blank page?")
        # A4 portrait at 50 dpi: 413 x 585 pixels (pdftoppm rounds up)
        self.assertEqual(sizes, {(414, 585)}, sizes)

    def test_fonts_embedded(self):
        path = self.save(self.pdf(), "fonts.pdf")
        out = subprocess.run(["pdffonts", path], check=True, capture_output=True, text=True).stdout.splitlines()[2:]
        self.assertTrue(out)
        for line in out:
            cols = line.split()
            self.assertRegex(cols[0], r"^[A-Z]{6}\+DejaVuSans(-Bold)?$", line)
            self.assertEqual(cols[-5], "yes", f"not embedded: {line}")

    def test_same_bytes(self):
        a = self.pdf("?against=rep0")
        b = self.pdf("?against=rep0")
        self.assertEqual(a, b)
        out = os.path.join(self.tmp, "cli.pdf")
        p = h.run_sipas(["report", "--survey", "rep1", "--against", "rep0", "--out", out], self.db.url)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(out, "rb") as f:
            self.assertEqual(f.read(), a)
        # the date in the metadata is the data's (the last response), not the clock's
        info = subprocess.run(["pdfinfo", out], check=True, capture_output=True, text=True).stdout
        self.assertRegex(info, r"CreationDate:.*2026")

    def test_one_agency(self):
        path = self.save(self.pdf("?agency=STC&against=rep0"), "stc.pdf")
        self.assertEqual(self.pages(path), 1)
        text = self.text(path)
        self.assertIn(self.names["STC"], text)
        self.assertNotIn(self.names["SNV"], text)
        self.assertIn("Với rep0", text)
        # an agency of the list without responses in the round: its page says so
        path = self.save(self.pdf("?agency=SCT"), "sct.pdf")
        self.assertEqual(self.pages(path), 1)
        self.assertIn("chưa có phiếu khảo sát", self.text(path))

    def test_bad_requests(self):
        self.pdf("?agency=NOPE", status=404)
        self.pdf("?against=nope", status=404)
        self.pdf("?against=rep1", status=400)
        self.pdf("?agency=" + "X" * 40, status=400)
        r = self.server.get("/api/v1/surveys/nope/report.pdf", token=self.analyst)
        self.assertEqual(r.status, 404)
        p = h.run_sipas(["report", "--survey", "nope", "--out", os.path.join(self.tmp, "x.pdf")], self.db.url)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--survey", p.stderr)
        p = h.run_sipas(["report", "--survey", "rep1"], self.db.url)
        self.assertEqual(p.returncode, 2)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "x.pdf")))

    def test_roles(self):
        self.assertEqual(self.server.get("/api/v1/surveys/rep1/report.pdf").status, 401)
        self.pdf(token=self.team, status=403)
        self.pdf(token=self.admin)

    # ---- published results ----

    def results(self, suffix=""):
        return self.server.get(f"/results/rep1{suffix}")

    def test_publish(self):
        self.assertEqual(self.results().status, 404)
        self.assertEqual(self.results(".json").status, 404)
        p = h.run_sipas(["survey", "publish", "rep1"], self.db.url)
        self.assertEqual(p.returncode, 0, p.stderr)
        try:
            r = self.results(".json")
            self.assertEqual(r.status, 200, r.body)
            self.assertIn("public", r.headers["Cache-Control"])
            doc = r.json()
            api = self.estimates()
            self.assertEqual([g["by"] for g in doc["groups"]], [g["by"] for g in api["groups"]])
            for mine, full in zip(doc["groups"], api["groups"]):
                self.assertEqual(mine["n"], full["n"])
                for a, b in zip(mine["estimates"], full["estimates"]):
                    if mine["n"] < 30:
                        self.assertIsNone(a["estimate"])
                        self.assertIsNone(a["ci_low"])
                        self.assertIsNone(a["se"])
                        self.assertNotIn("vs_baseline", a)
                        self.assertEqual(a["n"], b["n"])
                    else:
                        self.assertEqual(a, b)
            self.assertEqual([g["n"] for g in doc["groups"] if g["by"].get("agency") == "SYT"], [12])
            page = self.results()
            self.assertEqual(page.status, 200, page.body)
            html = page.text
            self.assertIn('lang="vi"', html)
            self.assertIn('name="viewport"', html)
            for code in PLAN:
                self.assertIn(self.names[code], html)
            self.assertIn("chưa đủ 30 phiếu", html)
            self.assertIn(f"{self.names['SYT']}: 12 phiếu", html)
            self.assertIn(dec1(api["groups"][0]["estimates"][0]["estimate"]) + "%", html)
            for body in (html, r.text):
                self.assertNotIn(SECRET, body)
                self.assertNotIn("rep1-SNV-0", body)         # no serial, no microdata
            self.assertEqual(self.server.get("/results/nope").status, 404)
            self.assertEqual(self.server.get("/results/nope.json").status, 404)
        finally:
            p = h.run_sipas(["survey", "unpublish", "rep1"], self.db.url)
            self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.results().status, 404)
        self.assertEqual(self.results(".json").status, 404)
        self.assertEqual(h.run_sipas(["survey", "publish", "nope"], self.db.url).returncode, 2)
        audit = self.db.sql("SELECT action FROM audit_log WHERE action LIKE 'survey.%publish' ORDER BY id")
        self.assertEqual(audit.splitlines(), ["survey.publish", "survey.unpublish"])


if __name__ == "__main__":
    h.main()
