#!/usr/bin/python3
"""upload-xlsx.py - the upload benchmark's rows as an .xlsx workbook, the way Excel stores them:
whole numbers as typed number cells, ISO dates as date serials with a date format, any other text
in the shared strings table; one worksheet, header in row 1. A small generator (zipfile), not
openpyxl, so that a million rows take seconds.

Usage: upload-xlsx.py IN.csv OUT.xlsx"""
import csv
import datetime
import sys
import zipfile
from xml.sax.saxutils import escape

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
EPOCH = datetime.date(1899, 12, 30)


def col(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def main():
    src, out = sys.argv[1:3]
    strings, index = [], {}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        with open(src, encoding="utf-8", newline="") as f, z.open("xl/worksheets/sheet1.xml", "w") as w:
            w.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{NS}"><sheetData>'.encode())
            cols = None
            for n, row in enumerate(csv.reader(f), 1):
                if cols is None or len(row) > len(cols):
                    cols = [col(i) for i in range(len(row))]
                cells = []
                for i, v in enumerate(row):
                    if v == "":
                        continue
                    ref = f"{cols[i]}{n}"
                    if v.isdigit() and len(v) < 10 and (v == "0" or v[0] != "0"):
                        cells.append(f'<c r="{ref}"><v>{v}</v></c>')
                    elif n > 1 and len(v) == 10 and v[4] == "-" and v[7] == "-" and v[:4].isdigit():
                        d = datetime.date(int(v[:4]), int(v[5:7]), int(v[8:]))
                        cells.append(f'<c r="{ref}" s="1"><v>{(d - EPOCH).days}</v></c>')
                    else:
                        k = index.get(v)
                        if k is None:
                            k = index[v] = len(strings)
                            strings.append(v)
                        cells.append(f'<c r="{ref}" t="s"><v>{k}</v></c>')
                w.write(f'<row r="{n}">{"".join(cells)}</row>'.encode())
            w.write(b"</sheetData></worksheet>")
        with z.open("xl/sharedStrings.xml", "w") as w:
            w.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{NS}" '
                    f'count="{len(strings)}" uniqueCount="{len(strings)}">'.encode())
            for s in strings:
                w.write(f"<si><t>{escape(s)}</t></si>".encode())
            w.write(b"</sst>")
        z.writestr("xl/styles.xml", f'<styleSheet xmlns="{NS}"><cellXfs count="2"><xf numFmtId="0"/>'
                                    '<xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>')
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{NS}" xmlns:r="{REL}"><sheets>'
                                      '<sheet name="Kết quả" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{PKG}">'
                   f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
                   f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
                   f'<Relationship Id="rId3" Type="{REL}/styles" Target="styles.xml"/></Relationships>')
        z.writestr("_rels/.rels", f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
                   f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '</Types>')


if __name__ == "__main__":
    main()
