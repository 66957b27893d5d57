#!/usr/bin/env python3
"""Writes the seed corpus of fuzz-xlsx (tests/fuzz/corpus/xlsx/): small workbooks written by
openpyxl and reshaped as Excel writes them (shared strings, formulas), and small hostile ones;
and the workbook seeds of fuzz-registry (tests/fuzz/corpus/registry/*.xlsx).
Run once by hand when the seeds change: /usr/bin/python3 tests/fuzz/make-xlsx-seeds.py"""
import datetime
import os
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import xlsx_make as xm  # noqa: E402

OUT = os.path.join(HERE, "corpus", "xlsx")
HEAD = ["serial", "agency", "submitted_at", "weight", "S1_1", "note"]
ROWS = [HEAD, ["A-1", "SNV", datetime.date(2026, 3, 2), 1.5, 4, "Tốt"],
        [1002, "STC", datetime.datetime(2026, 3, 2, 8, 30), 1 / 3, 5, True], [None] * 6,
        ["A-4", "SNV", None, None, 3, "Thủ tục nhanh, cán bộ nhiệt tình"]]


def put(name, data, out=OUT):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


REG = os.path.join(HERE, "corpus", "registry")
REG_HEAD = ["dossier", "agency", "procedure", "completed_at", "name", "phone", "email", "address"]


def registry_seeds():
    """Registry workbooks: a valid one as openpyxl writes it (date cells, a blank row, people
    with two dossiers, a second sheet), and a stored (uncompressed) one with every kind of row
    fault and padding the row source does (short rows, cells past the header, an error cell)."""
    d = datetime.date
    rows = [REG_HEAD,
            ["H-1", "SNV", "TTHC-1", d(2026, 2, 1), "Nguyễn Văn An", "0912000001", None, "Lạng Sơn"],
            ["H-2", "SNV", "TTHC-2", d(2026, 2, 3), "Nguyễn Văn An", "+84 912 000 001", None, None],
            [None] * 8,
            [3003, "STC", "TTHC-1", datetime.datetime(2026, 3, 1, 9, 0), "Lê Thị Hoa", None, "hoa@mail.vn"],
            ["H-4", "STC", "TTHC-3", d(2025, 12, 31), None, None, "HOA@MAIL.VN"],
            ["H-5", "X", "TTHC-1", d(2026, 4, 30)]]
    put("openpyxl-valid.xlsx", xm.openpyxl_workbook(rows, title="Hồ sơ", second=[["dossier"], ["Z-1"]]), REG)
    put("stored-faults.xlsx", xm.mini_xlsx(xm.sheet_xml([
        REG_HEAD[:5],
        ["H-1", "SNV", "P", "2026-02-01"],
        ["H-2", "NOPE", "P", "2026-13-01", None, None, "x"],
        [None, "STC", None, "2026-02-01", "Hoa"],
        [],
        ["H-1", "STC", "P", "2026-02-01 08:30"],
    ]), compress=zipfile.ZIP_STORED), REG)
    put("stored-bad-header.xlsx", xm.mini_xlsx(xm.sheet_xml([REG_HEAD[:3] + ["fax"], ["H-1", "SNV", "P", "x"]]),
                                               compress=zipfile.ZIP_STORED), REG)


def main():
    os.makedirs(OUT, exist_ok=True)
    plain = xm.openpyxl_workbook(ROWS, title="Kết quả")
    put("openpyxl-inline.xlsx", plain)
    shared = xm.shared_strings(plain)
    put("openpyxl-shared.xlsx", xm.patch_sheet(shared, [(r'<c r="E2"( s="\d+")? t="n"><v>4</v></c>',
                                                         r'<c r="E2"><f>2+2</f><v>4</v></c>')]))
    put("openpyxl-1904-merged.xlsx", xm.swap_sheet_parts(xm.openpyxl_workbook(
        ROWS, title="Trang 1", epoch1904=True, merges=("F1:H1",), second=[["x"]])))
    put("mini-stored.xlsx", xm.mini_xlsx(xm.sheet_xml([HEAD, ["B-1", "SNV", "", "2", "4", "x"]]),
                                         compress=zipfile.ZIP_STORED))
    sst = f'<sst xmlns="{xm.NS}"><si><r><t>ser</t></r><r><t>ial</t></r><rPh><t>x</t></rPh></si><si><t>SNV</t></si></sst>'
    sheet = (f'<worksheet xmlns="{xm.NS}"><sheetData><row><c t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row>'
             '<row r="3"><c r="A3" t="b"><v>1</v></c><c r="B3" t="e"><v>#N/A</v></c></row></sheetData></worksheet>')
    put("mini-rich-error.xlsx", xm.mini_xlsx(sheet, strings_xml=sst))
    put("hostile-doctype.xlsx", xm.mini_xlsx('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "c">]>'
                                             f'<worksheet xmlns="{xm.NS}"><sheetData/></worksheet>'))
    put("hostile-far-cell.xlsx", xm.mini_xlsx(f'<worksheet xmlns="{xm.NS}"><sheetData><row r="9">'
                                              '<c r="XFD9"><v>1</v></c></row></sheetData></worksheet>'))
    put("hostile-no-sheet.xlsx", xm.mini_xlsx(None))
    put("hostile-cfb.xlsx", bytes([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) + bytes(56))
    put("hostile-bomb.xlsx", xm.mini_xlsx(f'<worksheet xmlns="{xm.NS}"><sheetData>' + " " * (3 << 20)
                                          + "</sheetData></worksheet>"))
    registry_seeds()


if __name__ == "__main__":
    main()
