#!/usr/bin/env python3
"""Workbook uploads end to end (issue 12, part 1): .xlsx bodies on POST
/api/v1/surveys/{survey}/uploads and `sipas upload FILE.xlsx`. Workbooks written at run time by
another program (openpyxl) with typed cells (numbers, dates in both date systems, booleans,
shared and inline strings, formulas' cached values), merged cells, a Vietnamese sheet name and
the first sheet stored under another part name store EXACTLY the rows that the same data as
CSV stores (compared through responses.csv); every kind of bad workbook is refused with its
status and error code; errors name the sheet's row and the column's header; dry run, the same
file twice, serials already stored, the failing rows as CSV."""
import csv
import datetime
import io
import os
import re
import tempfile
import threading
import unittest
import zipfile

import harness as h
import xlsx_make as xm

h.require_db()
try:
    import openpyxl  # noqa: F401  (Debian's python3-openpyxl: the other program)
except ImportError:
    print("python3-openpyxl is not installed: skipping the workbook tests")
    raise SystemExit(77)

FORM = os.path.join(h.ROOT, "tests", "data", "upload", "form.json")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["serial", "agency", "channel", "stratum", "psu", "weight", "submitted_at", "gender", "used", "online",
          "age", "S1_1", "S1_2", "note"]
FORMULA_NUM, FORMULA_STR = 987654321, 987654322     # placeholders patched into formulas

# (the typed row for the workbook, the same row as the CSV's text)
ROWS = [
    (["X-001", "SNV", None, None, None, None, datetime.date(2026, 3, 2), 1, 1, "1;3", 40, 4, 5, "Tốt"],
     ["X-001", "SNV", "", "", "", "", "2026-03-02", "1", "1", "1;3", "40", "4", "5", "Tốt"]),
    ([1002, "STC", "phone", "S2", "C1", 2.5, datetime.datetime(2026, 3, 2, 8, 30), 2, 0, None, 35.0, 3, None, True],
     ["1002", "STC", "phone", "S2", "C1", "2.5", "2026-03-02T08:30:00", "2", "0", "", "35", "3", "", "TRUE"]),
    ([" X-003 ", "SNV", "web", None, None, 1 / 3, datetime.datetime(2025, 12, 31, 23, 59, 59), None, 1, "2",
      100.0, FORMULA_NUM, 1, "Thủ tục nhanh, cán bộ nhiệt tình"],
     ["X-003", "SNV", "web", "", "", "0.3333333333333333", "2025-12-31T23:59:59", "", "1", "2", "100", "4", "1",
      "Thủ tục nhanh, cán bộ nhiệt tình"]),
    ([None] * 14, None),                       # a blank row
    (["X-005", "STC", "api", None, None, 1e-3, datetime.date(1999, 1, 1), 1, 0, None, 15, 5, 2, FORMULA_STR],
     ["X-005", "STC", "api", "", "", "0.001", "1999-01-01", "1", "0", "", "15", "5", "2", "ab"]),
    (["X-006", "SNV", None, None, None, 12345678.25, datetime.date(2024, 2, 29), None, 1, None, 99, 2, 3, False],
     ["X-006", "SNV", "", "", "", "12345678.25", "2024-02-29", "", "1", "", "99", "2", "3", "FALSE"]),
]
FORMULAS = [
    (rf'<c r="(L\d+)"( s="\d+")? t="n"><v>{FORMULA_NUM}</v></c>', r'<c r="\1"\2><f>2+2</f><v>4</v></c>'),
    (rf'<c r="(N\d+)"( s="\d+")? t="n"><v>{FORMULA_STR}</v></c>', r'<c r="\1"\2 t="str"><f>"a"&amp;"b"</f><v>ab</v></c>'),
]


def typed_rows(rows=ROWS):
    return [HEADER] + [r[0] for r in rows]


def csv_of(rows=ROWS):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(HEADER)
    for _, text in rows:
        w.writerow(text if text else [""] * len(HEADER))
    return out.getvalue().encode()


def workbook(rows=None, epoch1904=False, shared=True, title="Kết quả phiếu giấy – Lạng Sơn", **kw):
    """The data as openpyxl writes it, then with shared strings (rows 1, 2 and 4 of the sheet) and
    formulas with their cached values, as Excel writes them."""
    b = xm.openpyxl_workbook(rows if rows is not None else typed_rows(), title=title, epoch1904=epoch1904, **kw)
    if shared:
        b = xm.shared_strings(b, lambda ref: int(re.sub(r"[A-Z]+", "", ref)) in (1, 2, 4))
    if rows is None:
        b = xm.patch_sheet(b, FORMULAS)
    return b


def simple_sheet(rows):
    return xm.mini_xlsx(xm.sheet_xml(rows))


GOOD = ["G-1", "SNV", "", "", "", "", "2026-03-02", "1", "1", "1;3", "40", "4", "5", ""]


class UploadXlsx(unittest.TestCase):
    n = 0

    @classmethod
    def setUpClass(cls):
        cls.db = h.Database()
        url = cls.db.url
        h.run_sipas(["agencies", "import", os.path.join(h.ROOT, "sql/demo/agencies-lang-son.csv")], url, check=True)
        h.run_sipas(["forms", "load", FORM], url, check=True)
        cls.admin = h.run_sipas(["token", "create", "--role", "admin", "--name", "Quản trị"], url,
                                check=True).stdout.strip()
        cls.server = h.Server(url)

    @classmethod
    def tearDownClass(cls):
        status = cls.server.stop()
        log = cls.server.read_log()
        cls.db.close()
        assert status == 0, f"sipas serve exited {status}\n{log}"

    def survey(self):
        UploadXlsx.n += 1
        code = f"xl{UploadXlsx.n}"
        h.run_sipas(["survey", "create", "--id", code, "--form", "upload-test", "--title", f"Đợt {code}"],
                    self.db.url, check=True)
        return code

    def upload(self, code, body, query="", ctype=XLSX):
        return self.server.post(f"/api/v1/surveys/{code}/uploads{query}", body=body,
                                headers={"Content-Type": ctype}, token=self.admin, timeout=300)

    def export(self, code):
        r = self.server.get(f"/api/v1/surveys/{code}/responses.csv", token=self.admin)
        self.assertEqual(r.status, 200, r.body)
        return r.body

    def stored(self, code):
        return int(self.db.sql(f"SELECT count(*) FROM responses r JOIN surveys s ON s.id = r.survey_id"
                               f" WHERE s.code = '{code}'"))

    def assert_error(self, r, row, column, code, status=422):
        self.assertEqual(r.status, status, r.body)
        errs = r.json()["errors"]
        self.assertTrue(any(e["row"] == row and e["column"] == column and e["code"] == code for e in errs),
                        f"no {code} at row {row} column {column} in {errs}")
        for e in errs:
            self.assertTrue(e["message"] and e["message_vi"])
        return errs

    def same_as_csv(self, body):
        """Uploads body and the CSV of the same data to two rounds: the exports are equal."""
        a, b = self.survey(), self.survey()
        rx = self.upload(a, body)
        self.assertEqual(rx.status, 201, rx.body)
        rc = self.upload(b, csv_of(), ctype="text/csv")
        self.assertEqual(rc.status, 201, rc.body)
        self.assertEqual(rx.json()["rows"], rc.json()["rows"])
        self.assertEqual(rx.json()["rows"], 5)
        ex, ec = self.export(a), self.export(b)
        self.assertEqual(ex, ec)
        self.assertEqual(len(ex.splitlines()), 6)
        return ex

    # ---- the same rows as CSV ----

    def test_typed_cells_same_rows_as_csv(self):
        ex = self.same_as_csv(workbook())
        # what the typed cells became, as the export shows them
        self.assertIn(b",TRUE\n", ex)
        self.assertIn(b",FALSE\n", ex)
        self.assertIn("Thủ tục nhanh, cán bộ nhiệt tình".encode(), ex)

    def test_1904_date_system(self):
        b = workbook(epoch1904=True)
        self.assertIn(b'date1904="1"', zipfile.ZipFile(io.BytesIO(b)).read("xl/workbook.xml"))
        self.same_as_csv(b)

    def test_inline_strings_only(self):
        self.same_as_csv(workbook(shared=False))

    def test_merged_cells_and_first_sheet_by_relationship(self):
        # the note header merged over two empty columns, merged data cells, and a second sheet
        # stored as sheet1.xml while the first sheet is sheet2.xml
        b = workbook(merges=("N1:P1", "O2:P3"), second=[["serial", "agency"], ["JUNK", "SNV"]])
        b = xm.swap_sheet_parts(b)
        names = zipfile.ZipFile(io.BytesIO(b)).namelist()
        self.assertIn("xl/worksheets/sheet2.xml", names)
        self.assertIn(b"<mergeCell", zipfile.ZipFile(io.BytesIO(b)).read("xl/worksheets/sheet2.xml"))
        self.assertNotIn(b"JUNK", self.same_as_csv(b))

    # ---- errors name the sheet's row and the column's header ----

    def test_errors_name_sheet_row_and_header(self):
        code = self.survey()
        rows = typed_rows(ROWS[:2]) + [["X-9", "SNV", None, None, None, None, None, 1, 1, None, 40, 9, 5, None]]
        r = self.upload(code, workbook(rows))
        errs = self.assert_error(r, 4, "S1_1", "out_of_range")
        self.assertEqual(len(errs), 1, errs)
        # a serial repeated in the sheet names the sheet's rows
        rows = typed_rows(ROWS[:2]) + [["X-001"] + ROWS[0][0][1:]]
        errs = self.assert_error(self.upload(code, workbook(rows)), 4, "serial", "duplicate_serial")
        self.assertIn("first in row 2", errs[0]["message"])
        self.assertIn("dòng 2", errs[0]["message_vi"])
        self.assertEqual(self.stored(code), 0)
        # a fault of the header is row 1
        r = self.upload(code, workbook([HEADER + ["bogus"], ROWS[0][0] + ["x"]]))
        self.assert_error(r, 1, "bogus", "unknown_column")
        # a reader's fault names the row and the header of the column
        b = xm.patch_sheet(workbook(typed_rows(ROWS[:2])), [(r'<c r="H3"( s="\d+")? t="n"><v>2</v></c>',
                                                               r'<c r="H3" t="e"><v>#N/A</v></c>')])
        errs = self.assert_error(self.upload(code, b), 3, "gender", "cell_error")
        self.assertIn("row 3, column gender (H)", errs[0]["message"])
        self.assertIn("dòng 3, cột gender (H)", errs[0]["message_vi"])
        self.assertEqual(self.stored(code), 0)

    def test_dry_run_and_the_same_file_twice(self):
        code = self.survey()
        b = workbook()
        r = self.upload(code, b, query="?dry_run=1")
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json(), {"rows": 5, "errors": []})
        self.assertEqual(self.stored(code), 0)
        r = self.upload(code, b, query="?name=dot1.xlsx")
        self.assertEqual(r.status, 201, r.body)
        first = r.json()["upload"]
        self.assertEqual(self.db.sql(f"SELECT file_name, rows FROM uploads WHERE id = {first}"), "dot1.xlsx|5")
        r = self.upload(code, b)
        self.assertEqual(r.status, 409, r.body)
        self.assertEqual(r.json()["error"]["code"], "duplicate_file")
        self.assertEqual(r.json()["error"]["upload"], first)
        # another workbook whose serial is stored already: the sheet's row
        other = typed_rows([(["X-101"] + ROWS[0][0][1:], None), (["X-001"] + ROWS[0][0][1:], None)])
        r = self.upload(code, workbook(other))
        self.assert_error(r, 3, "serial", "duplicate_serial")
        self.assertEqual(self.stored(code), 5)

    def test_failing_rows_as_csv(self):
        code = self.survey()
        rows = typed_rows(ROWS[:2]) + [["X-9", "SNV", None, None, None, None, None, 1, 1, None, 40, 9, 5, None]]
        r = self.upload(code, workbook(rows), query="?errors=csv")
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.headers["X-Sipas-Errors"], "1")
        lines = list(csv.reader(io.StringIO(r.body.decode("utf-8-sig"))))
        self.assertEqual(lines[0], HEADER + ["error"])
        self.assertEqual(len(lines), 2, lines)
        self.assertEqual(lines[1][:12], ["X-9", "SNV", "", "", "", "", "", "1", "1", "", "40", "9"])
        self.assertIn("S1_1", lines[1][-1])
        self.assertEqual(self.stored(code), 0)

    # ---- bad workbooks ----

    def hostile(self, body, code, status=422):
        c = self.survey()
        r = self.upload(c, body)
        self.assertEqual(r.status, status, r.body)
        errs = r.json()["errors"]
        self.assertEqual([e["code"] for e in errs], [code], errs)
        self.assertTrue(errs[0]["message"] and errs[0]["message_vi"])
        self.assertEqual(self.stored(c), 0)
        return errs[0]

    def test_not_a_zip(self):
        self.hostile(b"serial,agency\r\nA,SNV\r\n", "not_xlsx")
        self.hostile(b"PK\x03\x04" + b"\0" * 200, "not_xlsx")
        self.hostile(b"", "not_xlsx")

    def test_zip_without_worksheet(self):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            z.writestr("hello.txt", "xin chào")
        self.hostile(out.getvalue(), "no_worksheet")
        # a workbook whose sheet's part is missing
        self.hostile(xm.mini_xlsx(None), "no_worksheet")

    def test_encrypted_workbook(self):
        # Excel keeps a password-protected workbook in an OLE compound file
        cfb = bytes([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) + b"\0" * 504
        self.hostile(cfb, "encrypted")

    def test_zip_bomb(self):
        # 64 MB of spaces inside the sheet: deflated to ~64 KB, past the ratio
        pad = " " * (64 << 20)
        sheet = xm.sheet_xml([HEADER, GOOD]).replace("<sheetData>", "<sheetData>" + pad)
        body = xm.mini_xlsx(sheet)
        self.assertLess(len(body), 1 << 20)
        e = self.hostile(body, "zip_bomb")
        self.assertIn("inflates", e["message"])

    def test_zip_bomb_declared_small(self):
        # the same, with the sizes in the zip's headers claiming a small part: refused while inflating
        pad = " " * (16 << 20)
        sheet = xm.sheet_xml([HEADER, GOOD]).replace("<sheetData>", "<sheetData>" + pad).encode()
        body = bytearray(xm.mini_xlsx(sheet.decode()))
        real = len(sheet).to_bytes(4, "little")
        lie = (4096).to_bytes(4, "little")
        n = body.count(real)
        self.assertEqual(n, 2)            # the local header and the central directory
        body = bytes(body).replace(real, lie)
        c = self.survey()
        r = self.upload(c, body)
        self.assertEqual(r.status, 422, r.body)
        self.assertIn(r.json()["errors"][0]["code"], ("zip_bomb", "bad_workbook"))
        self.assertEqual(self.stored(c), 0)

    def test_xml_entities(self):
        laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
                  + f']><worksheet xmlns="{xm.NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;'
                  '</t></is></c></row></sheetData></worksheet>')
        self.hostile(xm.mini_xlsx(laughs), "xml_entities")
        # an external entity in the workbook part
        wb = (f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><workbook xmlns="{xm.NS}" '
              f'xmlns:r="{xm.REL}"><sheets><sheet name="&e;" sheetId="1" r:id="rId1"/></sheets></workbook>')
        self.hostile(xm.mini_xlsx(xm.sheet_xml([HEADER, GOOD]), workbook_xml=wb), "xml_entities")
        # a bare DOCTYPE is refused too
        self.hostile(xm.mini_xlsx('<?xml version="1.0"?><!DOCTYPE worksheet>' + xm.sheet_xml([HEADER])[38:]),
                     "xml_entities")

    def test_absurd_dimensions(self):
        far = xm.sheet_xml([HEADER, GOOD]).replace(
            "</sheetData>", '<row r="3"><c r="XFD3" t="inlineStr"><is><t>x</t></is></c></row></sheetData>')
        e = self.hostile(xm.mini_xlsx(far), "too_many_columns")
        self.assertEqual(e["row"], 3)
        self.assertIn("the cell XFD3 lies past column 2000", e["message"])
        huge = xm.sheet_xml([HEADER, GOOD]).replace(
            "</sheetData>", '<row r="3"><c r="ZZZZZZZZZZZZZZZZ3" t="inlineStr"><is><t>x</t></is></c></row></sheetData>')
        self.hostile(xm.mini_xlsx(huge), "too_many_columns")
        deep = xm.sheet_xml([HEADER, GOOD]).replace(
            "</sheetData>", '<row r="1048577"><c r="A1048577" t="inlineStr"><is><t>x</t></is></c></row></sheetData>')
        e = self.hostile(xm.mini_xlsx(deep), "too_many_rows")
        self.assertEqual(e["row"], 1048577)
        back = xm.sheet_xml([HEADER, GOOD]).replace("</sheetData>", '<row r="1"></row></sheetData>')
        self.hostile(xm.mini_xlsx(back), "bad_workbook")
        # an empty styled cell far out is no cell: the rows are stored
        c = self.survey()
        ok = xm.sheet_xml([HEADER, GOOD]).replace("</row></sheetData>", '<c r="XFD2" s="0"/></row></sheetData>')
        self.assertEqual(self.upload(c, xm.mini_xlsx(ok)).status, 201)

    def test_overlong_strings(self):
        long_text = "x" * (70 << 10)
        e = self.hostile(simple_sheet([HEADER, GOOD[:13] + [long_text]]), "field_too_long")
        self.assertEqual((e["row"], e["column"]), (2, "note"))
        sst = (f'<?xml version="1.0"?><sst xmlns="{xm.NS}"><si><t>{long_text}</t></si></sst>')
        self.hostile(xm.mini_xlsx(xm.sheet_xml([HEADER]), strings_xml=sst), "field_too_long")

    def test_wrong_media_type(self):
        c = self.survey()
        r = self.upload(c, workbook(), ctype="application/zip")
        self.assertEqual(r.status, 415, r.body)

    # ---- the CLI ----

    def test_cli(self):
        code = self.survey()
        with tempfile.TemporaryDirectory() as d:
            good = os.path.join(d, "phieu.xlsx")
            with open(good, "wb") as f:
                f.write(workbook())
            p = h.run_sipas(["upload", "--survey", code, "--dry-run", good], self.db.url)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(p.stdout, "dry run: 5 rows valid; nothing stored\n")
            p = h.run_sipas(["upload", "--survey", code, good], self.db.url)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertRegex(p.stdout, r"^upload \d+: 5 rows\n$")
            # by content, whatever the name
            bad = os.path.join(d, "sai.dat")
            rows = typed_rows(ROWS[:1]) + [["X-9", "SNV", None, None, None, None, None, 1, 1, None, 40, 9, 5, None]]
            with open(bad, "wb") as f:
                f.write(workbook([[c for c in r] for r in rows]))
            p = h.run_sipas(["upload", "--survey", code, bad], self.db.url)
            self.assertEqual(p.returncode, 2)
            self.assertIn(f"{bad}: row 3: column S1_1:", p.stderr)
            # from a pipe, by content: nothing read twice
            fifo = os.path.join(d, "pipe")
            os.mkfifo(fifo)
            other = workbook(typed_rows([(["P-1"] + ROWS[0][0][1:], None)]))
            def feed():
                with open(fifo, "wb") as f:
                    f.write(other)
            writer = threading.Thread(target=feed)
            writer.start()
            p = h.run_sipas(["upload", "--survey", code, "--dry-run", fifo], self.db.url)
            writer.join()
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(p.stdout, "dry run: 1 rows valid; nothing stored\n")
            # by name, whatever the content
            junk = os.path.join(d, "hong.xlsx")
            with open(junk, "wb") as f:
                f.write(b"serial,agency\n")
            p = h.run_sipas(["upload", "--survey", code, junk], self.db.url)
            self.assertEqual(p.returncode, 2)
            self.assertIn("not an .xlsx workbook", p.stderr)
            self.assertIn("(not_xlsx)", p.stderr)
            self.assertEqual(self.stored(code), 5)


if __name__ == "__main__":
    h.main()
