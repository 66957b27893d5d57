#!/usr/bin/env python3
"""Sampling and invitations end to end (issue 11, contract §6): `sipas sample draw` on a
registry file (sizes against an independent computation of the formula, reproducibility,
independence of row order, refusal once the round has responses, a redraw replacing the unused
codes), every registry error code, `sipas invites export` (csv and html letters, whose QR codes
are decoded back to the URL), the admin routes (admins only, audited, the same content),
`sipas invites purge` and `survey close`, progress, a drawn code sent by 16 threads at once
(JSON API and form post: stored once) and 16 codes at once (all stored), a registry workbook
and its errors, and the privacy rules (no contact in a
dump of the responses or in any export of them; nothing links a response to an invitation)."""
import csv
import datetime
import hashlib
import io
import math
import os
import re
import shutil
import struct
import subprocess
import tempfile
import threading
import unittest
import urllib.parse
import uuid
import zipfile
import zlib
from statistics import NormalDist

import harness as h

h.require_db()
try:
    import openpyxl     # Debian's python3-openpyxl writes the registry workbooks
except ImportError:
    openpyxl = None

ALL_TYPES = os.path.join(h.ROOT, "tests", "data", "forms", "valid", "all-types", "form.json")
BASE = "https://khaosat.langson.gov.vn"
HEADER = "code,agency,agency_name,dossier,name,phone,email,address,url,used"
PG_DUMP = os.path.join(h.PG_BIN, "pg_dump")


def person_rows(agency, n, prefix):
    """Rows of n people of one agency: phones, some with two dossiers (the second phone written
    +84 ...), some reached by e-mail (in another case), some by the dossier alone, and some
    whose only dossier is before the period."""
    rows = []
    for i in range(n):
        d = f"{prefix}{i:04d}"
        when = "2025-12-15" if i % 11 == 3 else f"2026-0{1 + i % 9}-{10 + i % 18}"
        name = f"Nguyễn Văn {prefix}{i}"
        addr = f"Số {i}, đường Trần Đăng Ninh, Lạng Sơn"
        if i % 7 == 1:
            rows.append([d, agency, "TTHC-1", when, name, "", f"nguoi{prefix}{i}@mail.vn", addr])
            if i % 2:
                rows.append([d + "b", agency, "TTHC-2", when, name, "", f"NGUOI{prefix}{i}@MAIL.VN", addr])
        elif i % 13 == 2:
            rows.append([d, agency, "TTHC-1", when, name, "", "", addr])
        else:
            rows.append([d, agency, "TTHC-1", when, name, f"09{i:08d}", "", addr])
            if i % 5 == 0:
                rows.append([d + "b", agency, "TTHC-3", when, name, f"+84 9{i:08d}", "", addr])
    return rows


def unit_key(row):
    """The unit of a row, computed here from the contract's words (not from the C code)."""
    dossier, agency, _, _, _, phone, email, _ = row
    digits = re.sub(r"\D", "", phone)
    if len(digits) >= 11 and digits.startswith("84"):
        digits = "0" + digits[2:]
    if digits:
        return (agency, "phone", digits)
    if email:
        return (agency, "email", email.lower())
    return (agency, "dossier", dossier)


def expected_plan(rows, margin=5.0, conf=0.95, p=0.5, deff=1.0, mn=30, rr=1.0, start="2026-01-01"):
    units = {}
    for r in rows:
        if r[3] >= start:
            units.setdefault(r[1], set()).add(unit_key(r))
    z = NormalDist().inv_cdf(1 - (1 - conf) / 2)
    n0 = z * z * p * (1 - p) * deff / (margin / 100) ** 2
    out = []
    for agency in sorted(units):
        N = len(units[agency])
        n = math.ceil(n0 / (1 + (n0 - 1) / N) - 1e-9)
        n = min(max(n, min(mn, N)), N)
        m = min(N, math.ceil(n / rr - 1e-9))
        out.append(f"{agency},{N},{n},{m}")
    return ["agency,population,target,invitations"] + out


REGISTRY_HEADER = ["dossier", "agency", "procedure", "completed_at", "name", "phone", "email", "address"]


def file_sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def write_registry(path, rows, header=",".join(REGISTRY_HEADER)):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(header + "\n")
        w = csv.writer(f, lineterminator="\n")
        for r in rows:
            w.writerow(r)


def sheet_cell(v, is_date):
    """A registry cell as a spreadsheet keeps it: a valid date as a date cell, "" as no cell."""
    if is_date:
        try:
            return datetime.date.fromisoformat(v)
        except ValueError:
            pass
    return v if v != "" else None


def svg_to_png(svg, path, scale=8):
    """Rasterises the QR code's SVG as sent (its viewBox and the path of one-module-high
    rectangles "Mx yhNv1h-Nz" that qr-svg.c writes) into a black-on-white PNG for zbarimg."""
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    dark = set()
    d = re.search(r'<path[^>]* d="([^"]*)"', svg).group(1)
    for x, y, n, n2 in re.findall(r"M(\d+) (\d+)h(\d+)v1h-(\d+)z", d):
        assert n == n2, "a rectangle that does not close"
        for i in range(int(n)):
            dark.add((int(x) + i, int(y)))
    self_check = re.sub(r"M\d+ \d+h\d+v1h-\d+z", "", d)
    assert self_check == "", "the QR path holds commands other than rectangles"
    w = size * scale
    raw = bytearray()
    for py in range(w):
        raw.append(0)
        for px in range(w):
            raw.append(0 if (px // scale, py // scale) in dark else 255)

    def chunk(kind, data):
        c = kind + data
        return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c) & 0xffffffff)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, w, 8, 0, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(bytes(raw), 6)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


class Sample(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = h.Database()
        url = cls.db.url
        cls.tmp = tempfile.mkdtemp(prefix="sipas-sample-")
        h.run_sipas(["agencies", "import", os.path.join(h.ROOT, "sql/demo/agencies-lang-son.csv")], url, check=True)
        h.run_sipas(["forms", "load", ALL_TYPES], url, check=True)
        cls.admin = cls.token("--role", "admin", "--name", "Quản trị")
        cls.team = cls.token("--role", "team", "--agency", "SNV", "--name", "Tổ SNV")
        cls.analyst = cls.token("--role", "analyst")
        cls.rows = person_rows("SNV", 260, "A") + person_rows("STC", 45, "B") + person_rows("SYT", 12, "C")
        cls.registry = os.path.join(cls.tmp, "registry.csv")
        write_registry(cls.registry, cls.rows)
        cls.server = h.Server(url)

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

    n = 0

    def survey(self, *extra):
        Sample.n += 1
        sid = f"mau-{Sample.n}"
        h.run_sipas(["survey", "create", "--id", sid, "--form", "all-types.v2", "--title",
                     "Khảo sát sự hài lòng năm 2026", "--access", "invite", *extra], self.db.url, check=True)
        return sid

    def sipas(self, *args):
        return h.run_sipas(list(args), self.db.url)

    def draw(self, sid, *extra, registry=None):
        return self.sipas("sample", "draw", "--survey", sid, "--registry", registry or self.registry,
                          "--from", "2026-01-01", *extra)

    def registry_sha256(self, sid):
        return self.db.sql("SELECT encode(d.registry_sha256, 'hex') FROM sample_draws d"
                           f" JOIN surveys s ON s.id = d.survey_id WHERE s.code = '{sid}'")

    def export(self, sid, *extra):
        p = self.sipas("invites", "export", "--survey", sid, "--base-url", BASE, *extra)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def export_rows(self, sid, *extra):
        text = self.export(sid, *extra)
        self.assertEqual(text.splitlines()[0], HEADER)
        return list(csv.DictReader(io.StringIO(text)))

    def people(self, rows):
        return {unit_key([r["dossier"], r["agency"], "", "", r["name"], r["phone"].lstrip("'"), r["email"],
                          r["address"]]) for r in rows}

    # ---- the draw ----

    def test_draw_sizes_reproducible_and_replaced(self):
        sid = self.survey()
        p = self.draw(sid, "--seed", "11", "--response-rate", "0.8")
        self.assertEqual(p.returncode, 0, p.stderr)
        want = expected_plan(self.rows, rr=0.8)
        self.assertEqual(p.stdout.splitlines(), want)
        total = sum(int(line.split(",")[3]) for line in want[1:])
        first = self.export_rows(sid)
        self.assertEqual(len(first), total)
        self.assertEqual(len({r["code"] for r in first}), total)
        # the frame: stratum = agency, population N_h, target n_h; the round becomes invite-only
        frame = self.db.sql(f"SELECT string_agg(stratum || ',' || population || ',' || target, ';' ORDER BY stratum)"
                            f" FROM strata s JOIN surveys v ON v.id = s.survey_id WHERE v.code = '{sid}'")
        self.assertEqual(frame, ";".join(",".join(x.split(",")[:3]) for x in want[1:]))
        # the same file and seed: the same people (new codes); the old codes are gone
        p = self.draw(sid, "--seed", "11", "--response-rate", "0.8")
        self.assertEqual(p.returncode, 0, p.stderr)
        second = self.export_rows(sid)
        self.assertEqual(self.people(second), self.people(first))
        self.assertEqual(int(self.db.sql("SELECT count(*) FROM invites i JOIN surveys s ON s.id = i.survey_id"
                                         f" WHERE s.code = '{sid}'")), total)
        r = self.server.get(f"/s/{sid}?invite={first[0]['code']}")
        self.assertEqual(r.status, 403)
        r = self.server.get(f"/s/{sid}?invite={second[0]['code']}")
        self.assertEqual(r.status, 200)
        # the rows in another order: the same people
        shuffled = os.path.join(self.tmp, "shuffled.csv")
        write_registry(shuffled, list(reversed(self.rows)))
        self.assertEqual(self.registry_sha256(sid), file_sha256(self.registry))
        p = self.draw(sid, "--seed", "11", "--response-rate", "0.8", registry=shuffled)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.people(self.export_rows(sid)), self.people(first))
        # the draw records the file it was made from (hashed while the draw reads it)
        self.assertEqual(self.registry_sha256(sid), file_sha256(shuffled))
        self.assertNotEqual(file_sha256(shuffled), file_sha256(self.registry))
        # another seed: other people
        p = self.draw(sid, "--seed", "12", "--response-rate", "0.8")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotEqual(self.people(self.export_rows(sid)), self.people(first))
        # every drawn person is a unit of the registry in the period, once
        units = {unit_key(r) for r in self.rows if r[3] >= "2026-01-01"}
        self.assertLessEqual(self.people(second), units)
        # audited
        self.assertGreaterEqual(int(self.db.sql("SELECT count(*) FROM audit_log WHERE action = 'sample.draw'")), 4)

    def test_draw_options(self):
        sid = self.survey()
        p = self.draw(sid, "--seed", "5", "--margin", "10", "--confidence", "0.9", "--min", "20", "--deff", "1.5")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.splitlines(), expected_plan(self.rows, margin=10, conf=0.9, mn=20, deff=1.5))
        p = self.sipas("sample", "draw", "--survey", sid, "--registry", self.registry, "--seed", "5")
        self.assertEqual(p.stdout.splitlines(), expected_plan(self.rows, start="0000"))
        for bad in (["--margin", "0"], ["--confidence", "1"], ["--p", "1.5"], ["--response-rate", "0"],
                    ["--from", "2026-02-30"], ["--seed", "-1"], ["--min", "2.5"]):
            p = self.draw(sid, *bad)
            self.assertEqual(p.returncode, 2, (bad, p.stderr))
        p = self.sipas("sample", "draw", "--survey", "khong-co", "--registry", self.registry)
        self.assertEqual(p.returncode, 2)
        # a round open to everyone takes no drawn sample
        Sample.n += 1
        h.run_sipas(["survey", "create", "--id", f"mo-{Sample.n}", "--form", "all-types.v2", "--title", "Mở"],
                    self.db.url, check=True)
        p = self.draw(f"mo-{Sample.n}", "--seed", "1")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--access invite", p.stderr)
        p = self.draw(sid, registry=os.path.join(self.tmp, "missing.csv"))
        self.assertEqual(p.returncode, 2)
        self.assertIn("missing.csv", p.stderr)

    def test_refused_once_responses(self):
        sid = self.survey()
        p = self.draw(sid, "--seed", "3")
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = self.export_rows(sid, "--agency", "SYT")
        before = self.db.sql("SELECT string_agg(encode(code_hash, 'hex'), ',' ORDER BY code_hash) FROM invites")
        r = self.server.post(f"/api/v1/surveys/{sid}/responses", {"invite": rows[0]["code"], "answers": {"A.used": 0}})
        self.assertEqual(r.status, 201, r.body)
        p = self.draw(sid, "--seed", "4")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("responses", p.stderr)
        self.assertEqual(self.db.sql("SELECT string_agg(encode(code_hash, 'hex'), ',' ORDER BY code_hash) FROM invites"),
                         before)
        # the export says which were used; --unused lists the others (reminders)
        used = [r for r in self.export_rows(sid, "--agency", "SYT") if r["used"] == "true"]
        self.assertEqual([r["code"] for r in used], [rows[0]["code"]])
        self.assertEqual(len(self.export_rows(sid, "--agency", "SYT", "--unused")), len(rows) - 1)
        # progress: invited, used and the response rate per stratum
        prog = self.server.get(f"/api/v1/surveys/{sid}/progress", token=self.analyst).json()
        syt = [x for x in prog["rows"] if x["agency"] == "SYT"][0]
        self.assertEqual((syt["invited"], syt["used"]), (len(rows), 1))
        self.assertAlmostEqual(syt["response_rate"], 1 / len(rows), places=12)
        self.assertEqual(syt["population"], len(rows))
        text = self.server.get(f"/api/v1/surveys/{sid}/progress?format=csv", token=self.admin).text
        head = text.splitlines()[0].split(",")
        self.assertEqual(head[-4:], ["population", "invited", "used", "response_rate"])
        page = self.server.get(f"/dashboard/{sid}", token=self.admin).text
        self.assertIn("Tỷ lệ phản hồi", page)
        self.assertIn("Chưa trả lời", page)

    # ---- drawn invitations under concurrency ----

    CSRF = "c5" * 32

    def submit(self, sid, code, web, results):
        """One answer with invitation code: through the JSON API, or (web) the form post."""
        if web:
            body = urllib.parse.urlencode({"_csrf": self.CSRF, "_id": str(uuid.uuid4()), "_invite": code,
                                           "A.used": "0"})
            r = self.server.post(f"/s/{sid}", body, headers={"Content-Type": "application/x-www-form-urlencoded",
                                                             "Cookie": "sipas_csrf=" + self.CSRF})
        else:
            r = self.server.post(f"/api/v1/surveys/{sid}/responses",
                                 {"id": str(uuid.uuid4()), "invite": code, "answers": {"A.used": 0}})
        results.append((web, r.status, r.json()["error"]["code"] if not web and r.status >= 400 else r.text))

    def race(self, sid, codes):
        """Sends codes[i] from thread i, all released at once; returns (web, status, detail)."""
        results, start = [], threading.Barrier(len(codes))

        def go(i):
            start.wait()
            self.submit(sid, codes[i], i % 2 == 1, results)

        threads = [threading.Thread(target=go, args=(i,)) for i in range(len(codes))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(len(results), len(codes))
        return results

    def stored(self, sid):
        return int(self.db.sql(f"SELECT count(*) FROM responses r JOIN surveys s ON s.id = r.survey_id"
                               f" WHERE s.code = '{sid}'"))

    def test_drawn_invitation_used_once_under_concurrency(self):
        sid = self.survey()
        p = self.draw(sid, "--seed", "9")
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = self.export_rows(sid)
        code = rows[0]["code"]
        # 16 threads, half through the JSON API and half through the form post, one code
        results = self.race(sid, [code] * 16)
        ok = [x for x in results if x[1] in (201, 303)]
        self.assertEqual(len(ok), 1, results)
        self.assertEqual(ok[0][1], 303 if ok[0][0] else 201, results)
        for web, status, detail in (x for x in results if x is not ok[0]):
            self.assertEqual(status, 409, (web, status, detail[:300]))
            if web:
                self.assertIn("đã được sử dụng", detail)
            else:
                self.assertEqual(detail, "invite_used")
        self.assertEqual(self.stored(sid), 1)
        used = [r["code"] for r in self.export_rows(sid) if r["used"] == "true"]
        self.assertEqual(used, [code])
        # different codes at once: every one is stored, each invitation used once
        others = [r["code"] for r in rows[1:17]]
        self.assertEqual(len(others), 16)
        results = self.race(sid, others)
        self.assertEqual(sorted(x[1] for x in results), [201] * 8 + [303] * 8, results)
        self.assertEqual(self.stored(sid), 17)
        used = sorted(r["code"] for r in self.export_rows(sid) if r["used"] == "true")
        self.assertEqual(used, sorted([code] + others))

    # ---- the registry's errors ----

    def test_registry_errors(self):
        sid = self.survey("--agency", "SNV", "--agency", "STC")
        ok = ["D1", "SNV", "P", "2026-02-01", "An", "0912000001", "", ""]
        cases = {
            "missing_column": ("dossier,agency,completed_at", [["D1", "SNV", "2026-02-01"]], "column procedure"),
            "unknown_column": ("dossier,agency,procedure,completed_at,fax", [["D1", "SNV", "P", "2026-02-01", "1"]],
                               "column 5"),
            "duplicate_column": ("dossier,agency,procedure,completed_at,agency", [], "column agency"),
            "missing_value": (None, [ok, ["", "SNV", "P", "2026-02-01", "", "", "", ""]], "row 2, column dossier"),
            "unknown_agency": (None, [ok, ["D2", "SYT", "P", "2026-02-01", "", "", "", ""]], "row 2, column agency"),
            "bad_date": (None, [["D2", "SNV", "P", "30/01/2026", "", "", "", ""]], "row 1, column completed_at"),
            "duplicate_dossier": (None, [ok, ["D3", "STC", "P", "2026-02-01", "", "", "", ""], ok],
                                  "row 3, column dossier"),
            "cell_count": (None, [["D2", "SNV", "P"]], "row 1"),
            "empty": (None, [], ""),
            "encoding": (None, [["D\udcff", "SNV", "P", "2026-02-01", "", "", "", ""]], "row 1"),
        }
        before = self.db.sql("SELECT count(*) FROM invites")
        for code, (header, rows, where) in cases.items():
            path = os.path.join(self.tmp, f"bad-{code}.csv")
            if code == "encoding":
                with open(path, "wb") as f:
                    f.write(b"dossier,agency,procedure,completed_at\nD\xff,SNV,P,2026-02-01\n")
            else:
                write_registry(path, rows, **({"header": header} if header else {}))
            p = self.draw(sid, "--seed", "1", registry=path)
            self.assertEqual(p.returncode, 2, (code, p.stderr))
            self.assertIn(f"({code})", p.stderr, code)
            self.assertIn(where, p.stderr, code)
            self.assertIn("nothing stored", p.stderr, code)
        self.assertEqual(self.db.sql("SELECT count(*) FROM invites"), before)
        self.assertEqual(self.db.sql(f"SELECT count(*) FROM strata s JOIN surveys v ON v.id = s.survey_id"
                                     f" WHERE v.code = '{sid}'"), "0")
        # every fault of a file is listed, not only the first
        path = os.path.join(self.tmp, "bad-many.csv")
        write_registry(path, [ok, ["D1", "XYZ", "P", "2026-13-01", "", "", "", ""], ["", "SNV", "P", "2026-01-01"] + [""] * 4])
        p = self.draw(sid, registry=path)
        self.assertEqual(p.returncode, 2)
        for want in ("row 2, column dossier", "row 2, column agency", "row 2, column completed_at",
                     "row 3, column dossier", "4 error(s)"):
            self.assertIn(want, p.stderr)

    # ---- the registry as a workbook ----

    def write_workbook(self, path, rows, header=REGISTRY_HEADER, blank_after=None):
        """The rows as openpyxl writes them on the first sheet (dates as date cells, empty cells
        left out), then a second sheet of notes the reader must not read."""
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Hồ sơ đã giải quyết"
        ws.append(header)
        for i, r in enumerate(rows):
            ws.append([sheet_cell(v, j == 3) for j, v in enumerate(r)])
            if blank_after is not None and i == blank_after:
                ws.append([])
        ws.freeze_panes = "A2"
        notes = wb.create_sheet("Ghi chú")
        notes.append(["dossier", "agency"])
        notes.append(["Z-1", "KHONG-CO"])
        wb.save(path)

    @unittest.skipUnless(openpyxl, "python3-openpyxl is not installed")
    def test_registry_xlsx_same_draw_as_csv(self):
        path = os.path.join(self.tmp, "registry.xlsx")
        self.write_workbook(path, self.rows, blank_after=40)
        a, b = self.survey(), self.survey()
        pc = self.draw(a, "--seed", "21", "--response-rate", "0.8")
        self.assertEqual(pc.returncode, 0, pc.stderr)
        px = self.draw(b, "--seed", "21", "--response-rate", "0.8", registry=path)
        self.assertEqual(px.returncode, 0, px.stderr)
        self.assertEqual(px.stdout.splitlines(), expected_plan(self.rows, rr=0.8))
        self.assertEqual(px.stdout, pc.stdout)
        key = ("dossier", "agency", "name", "phone", "email", "address")
        from_csv = sorted(tuple(r[k] for k in key) for r in self.export_rows(a))
        from_xlsx = sorted(tuple(r[k] for k in key) for r in self.export_rows(b))
        self.assertEqual(from_xlsx, from_csv)
        self.assertGreater(len(from_xlsx), 100)
        # a workbook named without .xlsx is told by its bytes
        bare = os.path.join(self.tmp, "registry-export")
        shutil.copy(path, bare)
        p = self.draw(b, "--seed", "21", "--response-rate", "0.8", registry=bare)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, pc.stdout)

    @unittest.skipUnless(openpyxl, "python3-openpyxl is not installed")
    def test_registry_xlsx_errors_name_sheet_rows(self):
        sid = self.survey("--agency", "SNV", "--agency", "STC")
        ok = ["D1", "SNV", "P", "2026-02-01", "An", "0912000001", "", ""]
        path = os.path.join(self.tmp, "bad.xlsx")
        # sheet rows: 1 header, 2 ok, 3 bad agency and date, 4 blank, 5 no dossier, 6 the dossier of row 2
        self.write_workbook(path, [ok, ["D2", "XYZ", "P", "2026-13-01", "", "", "", ""],
                                   ["", "SNV", "P", "2026-01-01", "", "", "", ""], ok], blank_after=1)
        before = self.db.sql("SELECT count(*) FROM invites")
        p = self.draw(sid, "--seed", "1", registry=path)
        self.assertEqual(p.returncode, 2, p.stderr)
        for want in ("row 3, column agency: ", "(unknown_agency)", "row 3, column completed_at: ", "(bad_date)",
                     "row 5, column dossier: ", "(missing_value)", "row 6, column dossier: the same dossier as row 2",
                     "4 error(s); nothing stored"):
            self.assertIn(want, p.stderr)
        self.assertNotIn("KHONG-CO", p.stderr)            # the second sheet is not read
        # the header is row 1
        self.write_workbook(path, [ok], header=["dossier", "agency", "procedure"])
        p = self.draw(sid, "--seed", "1", registry=path)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("row 1, column completed_at: the required column 'completed_at' is missing", p.stderr)
        # the reader's own faults name the sheet's row and the column's header
        self.write_workbook(path, [ok, ["D2", "#N/A", "P", "2026-02-01", "", "", "", ""]])
        p = self.draw(sid, "--seed", "1", registry=path)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("row 3, column agency: ", p.stderr)
        self.assertIn("(cell_error)", p.stderr)
        # not a workbook after all: a zip without a sheet
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("hello.txt", "xin chào")
        p = self.draw(sid, "--seed", "1", registry=path)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertRegex(p.stderr, r"\((not_xlsx|no_worksheet|bad_workbook)\)")
        self.assertEqual(self.db.sql("SELECT count(*) FROM invites"), before)

    # ---- export, letters, routes ----

    def test_export_csv_and_formula_safety(self):
        sid = self.survey()
        rows = [["F1", "SNV", "P", "2026-02-01", "=HYPERLINK(\"http://x\")", "+84912000009", "", "@SUM(A1)"],
                ["F2", "SNV", "P", "2026-02-01", "Lê Thị \"Hoa\", Lạng Sơn", "", "hoa@mail.vn", "-1"]]
        path = os.path.join(self.tmp, "formula.csv")
        write_registry(path, rows)
        p = self.draw(sid, "--seed", "1", registry=path)
        self.assertEqual(p.returncode, 0, p.stderr)
        got = {r["dossier"]: r for r in self.export_rows(sid)}
        self.assertEqual(got["F1"]["name"], "'=HYPERLINK(\"http://x\")")
        self.assertEqual(got["F1"]["phone"], "'+84912000009")
        self.assertEqual(got["F1"]["address"], "'@SUM(A1)")
        self.assertEqual(got["F2"]["name"], "Lê Thị \"Hoa\", Lạng Sơn")
        self.assertEqual(got["F2"]["address"], "'-1")
        for r in got.values():
            self.assertRegex(r["code"], r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")
            self.assertEqual(r["url"], f"{BASE}/s/{sid}?invite={r['code']}")
            self.assertEqual((r["agency"], r["agency_name"], r["used"]), ("SNV", "Sở Nội vụ", "false"))
        p = self.sipas("invites", "export", "--survey", sid, "--base-url", "javascript:alert(1)")
        self.assertEqual(p.returncode, 2)
        p = self.sipas("invites", "export", "--survey", sid, "--base-url", BASE, "--format", "pdf")
        self.assertEqual(p.returncode, 2)

    def test_routes_admin_only_audited_same_content(self):
        sid = self.survey()
        self.assertEqual(self.draw(sid, "--seed", "9").returncode, 0)
        cli = self.export(sid, "--agency", "STC")
        audits = int(self.db.sql("SELECT count(*) FROM audit_log WHERE action = 'export'"
                                 " AND detail->>'export' = 'invites'"))
        path = f"/api/v1/surveys/{sid}/invites.csv?agency=STC&base_url={BASE}"
        r = self.server.get(path, token=self.admin)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.text.replace("\r\n", "\n"), cli.replace("\r\n", "\n"))
        self.assertEqual(r.headers["Cache-Control"], "no-store")
        for tok in (self.team, self.analyst, None):
            self.assertIn(self.server.get(path, token=tok).status, (401, 403) if tok is None else (403,))
        letters = f"/admin/{sid}/letters?agency=STC&base_url={BASE}"
        r = self.server.get(letters, token=self.admin)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.text, self.export(sid, "--agency", "STC", "--format", "html"))
        self.assertEqual(self.server.get(letters, token=self.analyst).status, 403)
        self.assertEqual(self.server.get(letters, token=self.team).status, 403)
        self.assertEqual(self.server.get(f"/admin/{sid}/letters", token=self.admin).status, 400)
        # the two calls of an admin and the three exports by the CLI are in the audit log
        self.assertEqual(int(self.db.sql("SELECT count(*) FROM audit_log WHERE action = 'export'"
                                         " AND detail->>'export' = 'invites'")), audits + 3)
        self.assertEqual(self.db.sql("SELECT t.role FROM audit_log a JOIN tokens t ON t.id = a.token_id"
                                     " WHERE a.action = 'export' AND a.detail->>'format' = 'html' LIMIT 1"), "admin")

    def test_letters_and_qr(self):
        if not shutil.which("zbarimg"):
            self.skipTest("zbarimg (zbar-tools) is not installed")
        sid = self.survey()
        self.assertEqual(self.draw(sid, "--seed", "2").returncode, 0)
        rows = self.export_rows(sid, "--agency", "SYT")
        html = self.export(sid, "--agency", "SYT", "--format", "html")
        self.assertIn('lang="vi"', html)
        self.assertIn("@page{size:A4", html)
        self.assertEqual(html.count('<section class="letter">'), len(rows))
        self.assertEqual(html.count("<svg"), len(rows))
        self.assertIn("Sở Y tế", html)
        self.assertIn("Khảo sát sự hài lòng năm 2026", html)
        self.assertIn("THƯ MỜI THAM GIA KHẢO SÁT", html)
        for i, row in enumerate(rows[:3]):
            self.assertIn(f'<p class="code">{row["code"]}</p>', html)
            svg = html.split("<svg")[i + 1].split("</svg>")[0]
            png = os.path.join(self.tmp, f"qr-{i}.png")
            svg_to_png("<svg" + svg + "</svg>", png)
            out = subprocess.run(["zbarimg", "-q", "--raw", png], capture_output=True, text=True, timeout=60)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertEqual(out.stdout.strip(), rows[i]["url"])

    # ---- purge and privacy ----

    def test_purge_and_close(self):
        sid = self.survey()
        self.assertEqual(self.draw(sid, "--seed", "8").returncode, 0)
        before = self.export_rows(sid)
        p = self.sipas("invites", "purge", "--survey", sid)
        self.assertEqual(p.returncode, 0, p.stderr)
        after = self.export_rows(sid)
        self.assertEqual([r["code"] for r in after], [r["code"] for r in before])
        for r in after:
            self.assertEqual([r[k] for k in ("dossier", "name", "phone", "email", "address")], [""] * 5)
            self.assertEqual(r["used"], "false")
        self.assertEqual(self.db.sql("SELECT count(*) FROM contacts.invite_contacts k JOIN surveys s"
                                     f" ON s.id = k.survey_id WHERE s.code = '{sid}' AND num_nonnulls(dossier, name,"
                                     " phone, email, address) > 0"), "0")
        self.assertGreaterEqual(int(self.db.sql("SELECT count(*) FROM audit_log WHERE action = 'invites.purge'")), 1)
        # closing a round erases its contacts, unless --keep-contacts
        kept, erased = self.survey(), self.survey()
        for s in (kept, erased):
            self.assertEqual(self.draw(s, "--seed", "8").returncode, 0)
        self.assertEqual(self.sipas("survey", "close", kept, "--keep-contacts").returncode, 0)
        self.assertEqual(self.sipas("survey", "close", erased).returncode, 0)
        self.assertTrue(all(r["phone"] or r["email"] or r["dossier"] for r in self.export_rows(kept)))
        self.assertFalse(any(r["phone"] or r["email"] or r["dossier"] or r["name"] for r in self.export_rows(erased)))

    def test_privacy(self):
        sid = self.survey()
        self.assertEqual(self.draw(sid, "--seed", "21").returncode, 0)
        rows = self.export_rows(sid, "--agency", "STC")
        for row in rows[:3]:
            r = self.server.post(f"/api/v1/surveys/{sid}/responses", {"invite": row["code"], "answers": {"A.used": 0}})
            self.assertEqual(r.status, 201, r.body)
        contact = [r for r in rows if r["phone"]][0]
        # a dump of the responses (or of the whole public schema) holds no contact
        for args in (["-t", "responses"], ["-t", "responses", "-t", "invites", "-t", "audit_log"], ["-n", "public"]):
            dump = subprocess.run([PG_DUMP, "--data-only", *args, self.db.url], capture_output=True, text=True,
                                  timeout=120)
            self.assertEqual(dump.returncode, 0, dump.stderr)
            for secret in (contact["phone"], contact["name"], contact["dossier"], contact["code"]):
                self.assertNotIn(secret, dump.stdout, (args, secret))
        # nor does any export of the responses
        for path in (f"/api/v1/surveys/{sid}/responses.csv", f"/api/v1/surveys/{sid}/estimates?by=agency"):
            body = self.server.get(path, token=self.analyst).text
            for secret in (contact["phone"], contact["name"], contact["code"]):
                self.assertNotIn(secret, body)
        # nothing links a response to an invitation: no such column, and the moment of use is a day
        self.assertEqual(self.db.sql("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public'"
                                     " AND table_name = 'invites' AND column_name NOT IN"
                                     " ('code_hash', 'survey_id', 'agency_id', 'created_at', 'used_at', 'drawn')"), "0")
        self.assertEqual(self.db.sql("SELECT count(*) FROM invites WHERE used_at IS NOT NULL"
                                     " AND used_at <> date_trunc('day', used_at, 'UTC')"), "0")
        # contacts are for admins only
        self.assertEqual(self.server.get(f"/api/v1/surveys/{sid}/invites.csv?base_url={BASE}",
                                         token=self.analyst).status, 403)
        self.assertEqual(self.server.get(f"/api/v1/surveys/{sid}/invites.csv?base_url={BASE}",
                                         token=self.team).status, 403)


if __name__ == "__main__":
    h.main()
