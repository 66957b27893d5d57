"""Workbooks for the .xlsx upload tests and bench: written by another program (openpyxl, Debian's
python3-openpyxl), then reshaped with zipfile where openpyxl has no say (shared strings, formulas
with cached values, part names), and small hand-made ones for the hostile cases."""
import io
import re
import zipfile
from xml.sax.saxutils import escape

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def openpyxl_workbook(rows, title="Sheet", epoch1904=False, merges=(), second=None, write_only=False):
    """An .xlsx written by openpyxl: rows (lists of Python values) on a first sheet named title;
    merges: ranges to merge; second: rows of a second sheet (which the reader must not read)."""
    import openpyxl
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    wb = openpyxl.Workbook(write_only=write_only)
    ws = wb.create_sheet(title) if write_only else wb.active
    if not write_only:
        ws.title = title
    if epoch1904:
        wb.epoch = CALENDAR_MAC_1904
    for r in rows:
        ws.append(r)
    for m in merges:
        ws.merge_cells(m)
    if second is not None:
        ws2 = wb.create_sheet("Ghi chú")
        for r in second:
            ws2.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rewrite(xlsx, fn):
    """A copy of xlsx with fn(name, bytes) -> (name, bytes) or None (dropped) for each member,
    plus fn(None, None) -> [(name, bytes)] of members to add."""
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            got = fn(info.filename, src.read(info.filename))
            if got is not None:
                z.writestr(got[0], got[1])
        for name, data in fn(None, None) or []:
            z.writestr(name, data)
    return out.getvalue()


def shared_strings(xlsx, pick=lambda ref: True):
    """Moves the inline strings of the first sheet's cells for which pick(ref) holds into a
    shared strings part (as Excel writes them), repeated strings once."""
    strings, index = [], {}

    def to_shared(m):
        ref, style, text = m.group(1), m.group(2) or "", m.group(3)
        if not pick(ref):
            return m.group(0)
        if text not in index:
            index[text] = len(strings)
            strings.append(text)
        return f'<c r="{ref}"{style} t="s"><v>{index[text]}</v></c>'

    def fn(name, data):
        if name is None:
            body = "".join(f"<si><t xml:space=\"preserve\">{t}</t></si>" for t in strings)
            return [("xl/sharedStrings.xml",
                     f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}" count="{len(strings)}" '
                     f'uniqueCount="{len(strings)}">{body}</sst>'.encode())]
        if name == "xl/worksheets/sheet1.xml":
            data = re.sub(r'<c r="([A-Z]+\d+)"( s="\d+")? t="inlineStr"><is><t[^>]*>(.*?)</t></is></c>',
                          to_shared, data.decode()).encode()
        elif name == "xl/_rels/workbook.xml.rels":
            data = data.replace(b"</Relationships>",
                                f'<Relationship Id="rIdS" Type="{REL}/sharedStrings" '
                                f'Target="sharedStrings.xml"/></Relationships>'.encode())
        elif name == "[Content_Types].xml":
            data = data.replace(b"</Types>",
                                b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
        return name, data

    return rewrite(xlsx, fn)


def patch_sheet(xlsx, subs, part="xl/worksheets/sheet1.xml"):
    """Applies (pattern, replacement) regex pairs to a sheet's XML."""
    def fn(name, data):
        if name == part:
            text = data.decode()
            for pat, rep in subs:
                text, n = re.subn(pat, rep, text)
                assert n > 0, f"no {pat} in {part}"
            data = text.encode()
        return None if name is None else (name, data)
    return rewrite(xlsx, fn)


def swap_sheet_parts(xlsx):
    """Stores the first sheet as sheet2.xml and the second as sheet1.xml, the relationships
    following: a reader that assumes sheet1.xml reads the wrong sheet."""
    swap = {"xl/worksheets/sheet1.xml": "xl/worksheets/sheet2.xml",
            "xl/worksheets/sheet2.xml": "xl/worksheets/sheet1.xml"}

    def fn(name, data):
        if name is None:
            return []
        if name in swap:
            return swap[name], data
        if name == "xl/_rels/workbook.xml.rels":
            t = data.decode().replace("worksheets/sheet1.xml", "@1").replace("worksheets/sheet2.xml", "worksheets/sheet1.xml")
            data = t.replace("@1", "worksheets/sheet2.xml").encode()
        return name, data
    return rewrite(xlsx, fn)


def mini_xlsx(sheet_xml=None, strings_xml=None, workbook_xml=None, extra=(), sheet_name="xl/worksheets/sheet1.xml",
              compress=zipfile.ZIP_DEFLATED):
    """A hand-made workbook: the least parts a reader needs, any of them replaceable."""
    rels = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    wb = workbook_xml or (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" xmlns:r="{REL}">'
                          f'<sheets><sheet name="Trang 1" sheetId="1" r:id="rId1"/></sheets></workbook>')
    wrels = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
             f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="/{sheet_name}"/>'
             + (f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>' if strings_xml else "")
             + "</Relationships>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compress) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types '
                   'xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        z.writestr("_rels/.rels", rels)
        z.writestr("xl/workbook.xml", wb)
        z.writestr("xl/_rels/workbook.xml.rels", wrels)
        if sheet_xml is not None:
            z.writestr(sheet_name, sheet_xml)
        if strings_xml:
            z.writestr("xl/sharedStrings.xml", strings_xml)
        for name, data in extra:
            z.writestr(name, data)
    return out.getvalue()


def sheet_xml(rows):
    """A worksheet of inline strings: rows of texts (None = no cell)."""
    def col(i):
        s = ""
        i += 1
        while i:
            i, r = divmod(i - 1, 26)
            s = chr(65 + r) + s
        return s
    body = []
    for n, r in enumerate(rows, 1):
        cells = "".join(f'<c r="{col(i)}{n}" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>'
                        for i, v in enumerate(r) if v is not None)
        body.append(f'<row r="{n}">{cells}</row>')
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}"><sheetData>{"".join(body)}</sheetData></worksheet>'
