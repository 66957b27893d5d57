#!/usr/bin/env python3
"""Writes the seed corpus of fuzz-xlsx (tests/fuzz/corpus/xlsx/): small workbooks written by
openpyxl and reshaped as Excel writes them (shared strings, formulas), and small hostile ones.
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


def put(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


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


if __name__ == "__main__":
    main()
