#!/usr/bin/env python3
"""Paper uploads end to end (issue 4): POST /api/v1/surveys/{survey}/uploads with every error
kind, spreadsheet dialects, atomicity, concurrency, the same file twice, dry runs, the failing
rows as CSV, withdrawal, roles, CSRF for session posts, templates, history, the page, and
`sipas upload`."""
import csv
import io
import os
import re
import socket
import struct
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse

import harness as h

h.require_db()

FORM = os.path.join(h.ROOT, "tests", "data", "upload", "form.json")
HEADER = "serial,agency,channel,stratum,psu,weight,submitted_at,gender,used,online,age,S1_1,S1_2,note"
QUESTIONS = ["gender", "used", "online", "age", "S1_1", "S1_2", "note"]


def row(ser, agency="SNV", **kw):
    """A valid row of HEADER with overrides by column name."""
    v = {"serial": ser, "agency": agency, "channel": "", "stratum": "", "psu": "", "weight": "",
         "submitted_at": "2026-03-02", "gender": "1", "used": "1", "online": "1;3", "age": "40",
         "S1_1": "4", "S1_2": "5", "note": ""}
    v.update(kw)
    return ",".join(v[c] for c in HEADER.split(","))


def csv_file(*rows, header=HEADER):
    return (header + "\n" + "".join(r + "\n" for r in rows)).encode()


def read_to_close(s):
    """Reads what the server sends on socket s until it closes (or resets) the connection."""
    out = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                return out
            out += b
    except ConnectionResetError:
        return out

class Upload(unittest.TestCase):
    n = 0

    @classmethod
    def setUpClass(cls):
        cls.db = h.Database()
        url = cls.db.url
        h.run_sipas(["agencies", "import", os.path.join(h.ROOT, "sql/demo/agencies-lang-son.csv")], url, check=True)
        h.run_sipas(["forms", "load", FORM], url, check=True)
        cls.admin = cls.token("--role", "admin", "--name", "Quản trị")
        cls.team = cls.token("--role", "team", "--agency", "SNV", "--agency", "STC", "--name", "Tổ khảo sát SNV")
        cls.other_team = cls.token("--role", "team", "--agency", "SYT", "--name", "Tổ SYT")
        cls.analyst = cls.token("--role", "analyst")
        cls.server = h.Server(url)

    @classmethod
    def tearDownClass(cls):
        status = cls.server.stop()
        log = cls.server.read_log()
        cls.db.close()
        assert status == 0, f"sipas serve exited {status}\n{log}"

    @classmethod
    def token(cls, *args):
        return h.run_sipas(["token", "create", *args], cls.db.url, check=True).stdout.strip()

    def survey(self):
        """A fresh round for one test, so that tests do not share serials."""
        Upload.n += 1
        code = f"up{Upload.n}"
        h.run_sipas(["survey", "create", "--id", code, "--form", "upload-test", "--title", f"Đợt thử {code}"],
                    self.db.url, check=True)
        return code

    def upload(self, code, body, token=None, query="", headers=None):
        hdr = {"Content-Type": "text/csv"}
        hdr.update(headers or {})
        tok = self.admin if token is None else token    # "" = no token
        return self.server.post(f"/api/v1/surveys/{code}/uploads{query}", body=body, headers=hdr,
                                token=tok or None, timeout=300)

    def stored(self, code, where="true"):
        return int(self.db.sql(f"SELECT count(*) FROM responses r JOIN surveys s ON s.id = r.survey_id"
                               f" WHERE s.code = '{code}' AND {where}"))

    def assert_error(self, r, row, column, code):
        self.assertEqual(r.status, 422, r.body)
        errs = r.json()["errors"]
        self.assertTrue(any(e["row"] == row and e["column"] == column and e["code"] == code for e in errs),
                        f"no {code} at row {row} column {column} in {errs}")
        for e in errs:
            self.assertTrue(e["message"] and e["message_vi"])

    # ---- the happy path ----

    def test_valid_upload(self):
        code = self.survey()
        r = self.upload(code, csv_file(row("A-001"), row("A-002", "STC", channel="phone", stratum="S2", psu="C1",
                                                         weight="2.5", used="0", online="")),
                        query="?name=dot1.csv")
        self.assertEqual(r.status, 201, r.body)
        body = r.json()
        self.assertEqual(body["rows"], 2)
        uid = body["upload"]
        got = self.db.sql("SELECT serial, a.code, channel, stratum, coalesce(psu, '-'), coalesce(weight::text, '-'),"
                          " sipas_codes(codes)::text, answers->>'online', upload_id FROM responses r JOIN agencies a ON a.id = r.agency_id"
                          f" WHERE upload_id = {uid} ORDER BY serial").splitlines()
        self.assertEqual(got[0], f"A-001|SNV|paper|SNV|-|-|{{1,1,4,5}}|[1, 3]|{uid}")
        self.assertEqual(got[1], f"A-002|STC|phone|S2|C1|2.5|{{1,0,4,5}}||{uid}")
        up = self.db.sql(f"SELECT file_name, rows, status, encode(sha256, 'hex'), t.name FROM uploads u"
                         f" JOIN tokens t ON t.id = u.token_id WHERE u.id = {uid}")
        import hashlib
        sha = hashlib.sha256(csv_file(row("A-001"), row("A-002", "STC", channel="phone", stratum="S2", psu="C1",
                                                        weight="2.5", used="0", online=""))).hexdigest()
        self.assertEqual(up, f"dot1.csv|2|stored|{sha}|Quản trị")
        self.assertEqual(self.db.sql(f"SELECT count(*) FROM audit_log WHERE action = 'upload.store'"
                                     f" AND detail->>'upload' = '{uid}'"), "1")
        # the history names who, when, what
        hist = self.server.get(f"/api/v1/surveys/{code}/uploads", token=self.team).json()["uploads"]
        self.assertEqual(len(hist), 1)
        self.assertEqual((hist[0]["id"], hist[0]["who"], hist[0]["file"], hist[0]["rows"], hist[0]["status"]),
                         (uid, "Quản trị", "dot1.csv", 2, "stored"))
        self.assertRegex(hist[0]["at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")

    def test_file_name_from_content_disposition(self):
        code = self.survey()
        r = self.upload(code, csv_file(row("N1")), headers={"Content-Disposition": 'attachment; filename="C:\\x\\giay.csv"'})
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(self.db.sql(f"SELECT file_name FROM uploads WHERE id = {r.json()['upload']}"), "giay.csv")
        # long names are cut at a character boundary; bytes that are not UTF-8 are not kept
        r = self.upload(code, csv_file(row("N2")), query="?name=" + urllib.parse.quote("ố" * 100 + ".csv"))
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(self.db.sql(f"SELECT file_name FROM uploads WHERE id = {r.json()['upload']}"), "ố" * 66)
        r = self.upload(code, csv_file(row("N3")), query="?name=%FF%FE.csv")
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(self.db.sql(f"SELECT coalesce(file_name, '-') FROM uploads WHERE id = {r.json()['upload']}"), "-")

    # ---- spreadsheet reality ----

    def test_spreadsheet_dialects(self):
        code = self.survey()
        semi = HEADER.replace(",", ";")
        body = ("\ufeff" + semi + "\r\n" +
                "  S-1 ; SNV ;;;;; 2026-03-01 ; 2 ; 1 ; \"1;2\" ; 33 ; 5 ; 4 ;  Rất tốt, cảm ơn  \r\n" +
                "S-2;STC;;;;1,5;;1;0;;;3;;\r\n\r\n\r\n").encode("utf-8")
        r = self.upload(code, body)
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(r.json()["rows"], 2)
        got = self.db.sql(f"SELECT serial, sipas_codes(codes)::text, answers->>'note', coalesce(weight::text, '-') FROM responses r"
                          f" JOIN surveys s ON s.id = r.survey_id WHERE s.code = '{code}' ORDER BY serial").splitlines()
        self.assertEqual(got, ["S-1|{2,1,5,4}|Rất tốt, cảm ơn|-", "S-2|{1,0,3,NULL}||1.5"])

    def test_other_encodings_refused(self):
        code = self.survey()
        # Windows-1258 (Vietnamese ANSI): "Tốt" is not UTF-8
        cp1258 = (HEADER + "\r\n" + row("E-1", note="T\xf4t") + "\r\n").encode("latin-1")
        r = self.upload(code, cp1258)
        self.assertEqual(r.status, 422, r.body)
        self.assertIn("encoding", [e["code"] for e in r.json()["errors"]])
        # UTF-16 with its BOM, as some spreadsheets save "Unicode text"
        r = self.upload(code, csv_file(row("E-2")).decode().encode("utf-16"))
        self.assertEqual(r.status, 422, r.body)
        self.assertTrue(r.json()["errors"])
        self.assertEqual(self.stored(code), 0)
        self.assertEqual(self.db.sql("SELECT count(*) FROM responses WHERE answers::text LIKE '%\ufffd%'"), "0")

    # ---- each error kind; nothing stored ----

    def test_error_kinds(self):
        code = self.survey()
        self.assertEqual(self.upload(code, csv_file(row("STORED-1"))).status, 201)
        cases = [
            (csv_file(row("K1"), row("K2", S1_1="7")), 2, "S1_1", "out_of_range"),
            (csv_file(row("K1", S1_1="")), 1, "S1_1", "required"),
            (csv_file(row("K1", used="0", online="1")), 1, "online", "not_asked"),
            (csv_file(row("K1"), row("K2", weight="abc")), 2, "weight", "invalid_weight"),
            (csv_file(row("K1", weight="-2")), 1, "weight", "invalid_weight"),
            (csv_file(row("K1"), row("K2"), row("K1")), 3, "serial", "duplicate_serial"),
            (csv_file(row("K1"), row("STORED-1")), 2, "serial", "duplicate_serial"),
            (csv_file(row("K1", agency="NOPE")), 1, "agency", "unknown_agency"),
            (csv_file(row("K1") + ",x", header=HEADER + ",colour"), 0, "colour", "unknown_column"),
            (csv_file(row("K1", serial="")), 1, "serial", "missing_serial"),
        ]
        for body, at, column, err in cases:
            with self.subTest(column=column, code=err):
                r = self.upload(code, body)
                self.assertEqual(r.status, 422, r.body)
                errs = r.json()["errors"]
                self.assertEqual(r.json()["total"], len(errs))
                hit = [e for e in errs if e["row"] == at and e["column"] == column]
                self.assertTrue(hit, errs)
                if err:
                    self.assertEqual(hit[0]["code"], err)
                if err == "duplicate_serial" and at == 2:
                    self.assertIn("STORED-1", hit[0]["message"])
        self.assertEqual(self.stored(code), 1)

    def test_forbidden_agency(self):
        code = self.survey()
        r = self.upload(code, csv_file(row("F1", "SNV"), row("F2", "SYT")), token=self.team)
        self.assert_error(r, 2, "agency", "forbidden_agency")
        self.assertEqual(r.json()["total"], 1)
        self.assertEqual(self.stored(code), 0)
        self.assertEqual(self.upload(code, csv_file(row("F1", "SNV"), row("F2", "STC")), token=self.team).status, 201)
        self.assertEqual(self.upload(code, csv_file(row("F3", "SYT")), token=self.other_team).status, 201)
        # a row with other faults gets its agency checked too
        r = self.upload(code, csv_file(row("F4", "SYT", S1_1="9"), row("F5", "NOPE", used="", online="")), token=self.team)
        self.assertEqual(r.status, 422)
        self.assertEqual([(e["row"], e["column"], e["code"]) for e in r.json()["errors"]],
                         [(1, "S1_1", "out_of_range"), (1, "agency", "forbidden_agency"),
                          (2, "used", "required"), (2, "agency", "unknown_agency")])

    def test_many_errors_capped(self):
        code = self.survey()
        rows = [row(f"M{i}", S1_1="9") for i in range(1500)]
        r = self.upload(code, csv_file(*rows))
        self.assertEqual(r.status, 422)
        self.assertEqual(len(r.json()["errors"]), 1000)
        self.assertEqual(r.json()["total"], 1500)
        self.assertEqual(r.json()["errors"][999]["row"], 1000)

    # ---- all or nothing ----

    def test_atomic_large_file(self):
        code = self.survey()
        n = 20000 if h.VALGRIND else 100000
        lines = [HEADER]
        for i in range(1, n + 1):
            lines.append(row(f"B{i:06d}", S1_1="8" if i == n - 1 else "4"))
        body = ("\n".join(lines) + "\n").encode()
        r = self.upload(code, body)
        self.assertEqual(r.status, 422, r.body[:300])
        self.assertEqual(r.json()["total"], 1)
        self.assertEqual(r.json()["errors"][0]["row"], n - 1)
        self.assertEqual(r.json()["rows"], n)
        self.assertEqual(self.stored(code), 0)
        self.assertEqual(self.db.sql(f"SELECT count(*) FROM uploads u JOIN surveys s ON s.id = u.survey_id"
                                     f" WHERE s.code = '{code}'"), "0")
        # the same file, fixed, goes in whole
        r = self.upload(code, body.replace(b",8,5,", b",4,5,"))
        self.assertEqual(r.status, 201, r.body[:300])
        self.assertEqual(self.stored(code), n)

    def test_concurrent_overlap(self):
        code = self.survey()
        a = csv_file(*[row(f"C-A{i}") for i in range(2000)], row("C-SHARED"))
        b = csv_file(row("C-SHARED"), *[row(f"C-B{i}") for i in range(2000)])
        out = {}

        def go(name, body):
            out[name] = self.upload(code, body)

        ts = [threading.Thread(target=go, args=("a", a)), threading.Thread(target=go, args=("b", b))]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        statuses = sorted([out["a"].status, out["b"].status])
        self.assertEqual(statuses, [201, 422], (out["a"].body[:300], out["b"].body[:300]))
        loser = out["a"] if out["a"].status == 422 else out["b"]
        errs = loser.json()["errors"]
        self.assertEqual([(e["code"], e["column"]) for e in errs], [("duplicate_serial", "serial")])
        self.assertIn("C-SHARED", errs[0]["message"])
        self.assertEqual(errs[0]["row"], 2001 if loser is out["a"] else 1)
        self.assertEqual(self.stored(code), 2001)

    def abandon(self, code, prefix, end, server=None):
        """Starts an upload of 5000 rows of a file declared ten times longer, then ends the client
        as end(socket) says; returns what the server sent back on that connection, if anything."""
        host, port = (server or self.server).url.split("//")[1].split(":")
        part = csv_file(*[row(f"{prefix}{i}") for i in range(5000)])
        s = socket.create_connection((host, int(port)), timeout=60 * h.SLOW)
        try:
            s.sendall(f"POST /api/v1/surveys/{code}/uploads HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {self.admin}\r\n"
                      f"Content-Type: text/csv\r\nContent-Length: {len(part) * 10}\r\n\r\n".encode() + part)
            return end(s)
        finally:
            s.close()

    def assert_abandoned(self, code, prefix, server=None):
        """After a client gone mid-upload: the server rolls back and frees the database session (on
        another thread, once it notices: waited for), goes on storing uploads, and stored none of
        the abandoned rows."""
        server = server or self.server
        h.wait_no_leaked_sessions(self.db.url, 30, f"the abandoned upload {prefix}* to free its database session"
                                  " (no session idle in transaction or in COPY)")
        r = server.post(f"/api/v1/surveys/{code}/uploads", body=csv_file(row(f"{prefix}1")),
                        headers={"Content-Type": "text/csv"}, token=self.admin, timeout=300)
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(self.stored(code), 1)
        self.assertEqual(self.stored(code, f"serial <> '{prefix}1'"), 0)
        h.wait_no_leaked_sessions(self.db.url, 30, "the next upload to leave no session idle in transaction or in COPY")

    def test_client_gone(self):
        code = self.survey()

        def reset(s):                                 # a reset: the client is gone
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.abandon(code, "G", reset)
        self.assert_abandoned(code, "G")

    def test_client_half_closed(self):
        code = self.survey()

        def half_close(s):                            # no more to send, still listening
            s.shutdown(socket.SHUT_WR)
            return read_to_close(s)
        reply = self.abandon(code, "Q", half_close)
        self.assertFalse(reply.startswith(b"HTTP/1.1 2"), reply[:300])
        self.assertEqual(self.stored(code), 0)
        self.assert_abandoned(code, "Q")

    def test_client_idle_past_timeout(self):
        """A client that stops sending mid-upload is cut off at SIPAS_CONN_TIMEOUT and its upload
        rolled back."""
        timeout = 2 * h.SLOW
        server = h.Server(self.db.url, env={"SIPAS_CONN_TIMEOUT": str(timeout)})
        try:
            code = self.survey()
            t0 = time.monotonic()

            def idle(s):                              # silent until the server gives up on us
                s.settimeout(timeout + 60 * h.SLOW)
                try:
                    return read_to_close(s)
                except socket.timeout:
                    self.fail(f"the idle connection was still open after {time.monotonic() - t0:.0f}s"
                              f" (SIPAS_CONN_TIMEOUT={timeout})")
            reply = self.abandon(code, "T", idle, server)
            self.assertGreaterEqual(time.monotonic() - t0, timeout - 0.5, "cut off before the timeout")
            self.assertFalse(reply.startswith(b"HTTP/1.1 2"), reply[:300])
            server.wait_log(rf"POST /api/v1/surveys/{code}/uploads \d+ [\d.]+ms \(timeout\)", 30,
                            "the log line of the upload cut off by the connection timeout")
            self.assertEqual(self.stored(code), 0)
            self.assert_abandoned(code, "T", server)
        finally:
            status = server.stop()
            self.assertEqual(status, 0, server.read_log())

    def raw(self, data):
        host, port = self.server.url.split("//")[1].split(":")
        with socket.create_connection((host, int(port)), timeout=30 * h.SLOW) as s:
            s.sendall(data)
            out = b""
            while True:
                b = s.recv(65536)
                if not b:
                    return out
                out += b

    def test_chunked_and_too_large(self):
        code = self.survey()
        body = csv_file(*[row(f"H{i}") for i in range(3000)])
        chunks = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 7000]), body[i:i + 7000]) for i in range(0, len(body), 7000))
        head = (f"POST /api/v1/surveys/{code}/uploads HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {self.admin}\r\n"
                f"Content-Type: text/csv\r\nConnection: close\r\n").encode()
        r = self.raw(head + b"Transfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n")
        self.assertTrue(r.startswith(b"HTTP/1.1 201"), r[:300])
        self.assertIn(b'"rows":3000', r)
        r = self.raw(head + b"Content-Length: 2147483648\r\n\r\n")
        self.assertTrue(r.startswith(b"HTTP/1.1 413"), r[:300])
        self.assertEqual(self.stored(code), 3000)

    def test_same_file_twice(self):
        code = self.survey()
        body = csv_file(row("D1"), row("D2"))
        first = self.upload(code, body)
        self.assertEqual(first.status, 201)
        again = self.upload(code, body)
        self.assertEqual(again.status, 409, again.body)
        self.assertEqual(again.json()["error"]["upload"], first.json()["upload"])
        self.assertIn(str(first.json()["upload"]), again.json()["error"]["message"])
        # the same file to another round is a different upload
        self.assertEqual(self.upload(self.survey(), body).status, 201)

    def test_dry_run(self):
        code = self.survey()
        r = self.upload(code, csv_file(row("Y1"), row("Y2")), query="?dry_run=1")
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json(), {"rows": 2, "errors": []})
        self.assertEqual(self.stored(code), 0)
        r = self.upload(code, csv_file(row("Y1"), row("Y2", S1_1="0")), query="?dry_run=1")
        self.assert_error(r, 2, "S1_1", "out_of_range")
        self.assertEqual(self.upload(code, csv_file(row("Y1"))).status, 201)
        # a dry run sees the stored serials too
        self.assert_error(self.upload(code, csv_file(row("Y3"), row("Y1")), query="?dry_run=1"), 2, "serial",
                          "duplicate_serial")
        self.assertEqual(self.stored(code), 1)

    def test_errors_csv(self):
        code = self.survey()
        self.assertEqual(self.upload(code, csv_file(row("Z0"))).status, 201)
        body = csv_file(row("Z1"), row("Z2", S1_1="6", gender="3"), row("Z3"), row("Z0"), row("Z4", agency="NOPE"))
        r = self.upload(code, body, query="?errors=csv")
        self.assertEqual(r.status, 200, r.body)
        self.assertTrue(r.headers["Content-Type"].startswith("text/csv"))
        self.assertEqual(r.headers["X-Sipas-Errors"], "4")
        got = list(csv.reader(io.StringIO(r.body.decode("utf-8-sig"))))
        self.assertEqual(got[0], HEADER.split(",") + ["error"])
        self.assertEqual([g[0] for g in got[1:]], ["Z2", "Z4", "Z0"])
        self.assertEqual(got[1][:-1], row("Z2", S1_1="6", gender="3").split(","))
        self.assertIn("S1_1", got[1][-1])
        self.assertIn("gender", got[1][-1])
        self.assertIn("NOPE", got[2][-1])
        self.assertIn("Z0", got[3][-1])
        self.assertEqual(self.stored(code), 1)   # errors=csv never stores
        # a valid file: just the header
        r = self.upload(code, csv_file(row("Z9")), query="?errors=csv")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body.decode("utf-8-sig").strip(), HEADER + ",error")
        self.assertEqual(self.stored(code), 1)

    def test_errors_csv_cells_are_never_formulas(self):
        """The report echoes uploaded cells: a text cell that a spreadsheet would run as a formula
        gets docs/formats.md's apostrophe; plain numbers (a negative weight or age) stay as they are."""
        code = self.survey()
        hostile = {"serial": "=1+1", "psu": "@SUM(A1:A9)", "stratum": "+cmd|' /C calc'!A0",
                   "note": "=HYPERLINK(\"http://evil.example/\")", "S1_1": "-2+3"}
        body = csv_file(row("F1"), row("=1+1", psu="@SUM(A1:A9)", stratum="+cmd|' /C calc'!A0", S1_1="-2+3",
                                       note='"=HYPERLINK(""http://evil.example/"")"'),
                        row("F3", weight="-1", age="-3", note='"\tTab đầu"'))
        r = self.upload(code, body, query="?errors=csv")
        self.assertEqual(r.status, 200, r.body)
        got = list(csv.reader(io.StringIO(r.body.decode("utf-8-sig"))))
        self.assertEqual([g[0] for g in got[1:]], ["'=1+1", "F3"])
        bad = dict(zip(got[0], got[1]))
        for col, text in hostile.items():
            self.assertEqual(bad[col], "'" + text, col)
        self.assertIn("S1_1", bad["error"])
        neg = dict(zip(got[0], got[2]))
        self.assertEqual((neg["weight"], neg["age"]), ("-1", "-3"))      # numbers are never changed
        self.assertEqual(neg["note"], "'\tTab đầu")
        for line in got:
            for col, cell in zip(got[0], line):
                if cell not in ("-1", "-3"):
                    self.assertFalse(cell.startswith(("=", "+", "-", "@", "\t", "\r")), (col, cell))
        self.assertEqual(self.stored(code), 0)

    def test_withdraw(self):
        code = self.survey()
        body = csv_file(row("W1"), row("W2"))
        uid = self.upload(code, body).json()["upload"]
        path = f"/api/v1/uploads/{uid}/withdraw"
        self.assertEqual(self.server.post(path, token=self.team).status, 403)
        r = self.server.post(path, token=self.admin)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["responses"], 2)
        self.assertEqual(self.stored(code, "withdrawn"), 2)
        self.assertEqual(self.stored(code, "NOT withdrawn"), 0)
        self.assertEqual(self.db.sql(f"SELECT status, withdrawn_at IS NOT NULL FROM uploads WHERE id = {uid}"), "withdrawn|t")
        self.assertEqual(self.db.sql(f"SELECT count(*) FROM audit_log WHERE action = 'upload.withdraw'"
                                     f" AND detail->>'upload' = '{uid}'"), "1")
        self.assertEqual(self.server.post(path, token=self.admin).status, 409)
        self.assertEqual(self.server.post("/api/v1/uploads/999999/withdraw", token=self.admin).status, 404)
        hist = self.server.get(f"/api/v1/surveys/{code}/uploads", token=self.admin).json()["uploads"]
        self.assertEqual(hist[0]["status"], "withdrawn")
        # the serials and the file are free again; nothing was deleted
        self.assertEqual(self.upload(code, body).status, 201)
        self.assertEqual(self.stored(code), 4)

    def test_withdraw_by_range(self):
        """An upload's responses are found by its range of ids (011_upload_range.sql): an
        upload sets it, straight or staged; rows stored by hand that name the upload widen it;
        rows of others inside the range are left alone; deleting an upload still named fails."""
        code = self.survey()
        straight = self.upload(code, csv_file(row("R1"), row("R2"), row("R3"))).json()["upload"]
        staged = self.upload(code, csv_file(row("R4"), row("R5"))).json()["upload"]   # serials stored: staged
        outside = ("SELECT count(*) FROM responses r JOIN uploads u ON u.id = r.upload_id"
                   " WHERE r.id NOT BETWEEN u.first_response AND u.last_response"
                   " OR u.first_response IS NULL OR u.last_response IS NULL")
        self.assertEqual(self.db.sql(outside), "0")
        self.assertEqual(self.db.sql(f"SELECT last_response - first_response FROM uploads WHERE id = {straight}"), "2")
        sid = self.db.sql(f"SELECT id FROM surveys WHERE code = '{code}'")
        agency = self.db.sql("SELECT id FROM agencies WHERE code = 'SNV'")
        insert = ("INSERT INTO responses (survey_id, agency_id, channel, serial, stratum, codes, upload_id)"
                  f" SELECT {sid}, {agency}, 'paper', '%s', 'SNV', codes, %s FROM responses"
                  f" WHERE upload_id = {straight} LIMIT 1 RETURNING id")
        # a row keyed in by hand naming the first upload, after the second: the range grows to it
        by_hand = self.db.sql(insert % ("R6", straight))
        self.assertEqual(self.db.sql(f"SELECT last_response FROM uploads WHERE id = {straight}"), by_hand)
        self.assertEqual(self.db.sql(outside), "0")
        # the first upload's range now holds the second's rows and a row of no upload
        loose = self.db.sql(insert % ("R7", "NULL"))
        self.db.sql(f"UPDATE uploads SET last_response = {loose} WHERE id = {straight}")
        r = self.server.post(f"/api/v1/uploads/{straight}/withdraw", token=self.admin)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["responses"], 4)
        self.assertEqual(self.db.sql(f"SELECT string_agg(serial, ',' ORDER BY serial) FROM responses"
                                     f" WHERE survey_id = {sid} AND withdrawn"), "R1,R2,R3,R6")
        self.assertEqual(self.stored(code, "NOT withdrawn"), 3)               # R4, R5 and R7
        # the foreign key's stand-in: an upload its responses name is not deleted
        with self.assertRaises(subprocess.CalledProcessError) as e:
            self.db.sql(f"DELETE FROM uploads WHERE id = {staged}")
        self.assertIn("responses still name this uploads", e.exception.stderr)
        self.db.sql(f"UPDATE responses SET upload_id = NULL WHERE upload_id = {staged}")
        self.db.sql(f"DELETE FROM uploads WHERE id = {staged}")

    # ---- who may ----

    def test_roles(self):
        code = self.survey()
        body = csv_file(row("R1"))
        self.assertEqual(self.upload(code, body, token=self.analyst).status, 403)
        r = self.server.post(f"/api/v1/surveys/{code}/uploads", body=body, headers={"Content-Type": "text/csv"})
        self.assertEqual(r.status, 401)
        self.assertEqual(self.upload("no-such-round", body).status, 404)
        self.assertEqual(self.upload(code, body, headers={"Content-Type": "application/json"}).status, 415)
        self.assertEqual(self.server.get(f"/api/v1/surveys/{code}/template.csv", token=self.analyst).status, 403)
        self.assertEqual(self.server.get(f"/api/v1/surveys/{code}/uploads").status, 401)
        self.assertEqual(self.upload(code, body, token=self.team).status, 201)

    def test_session_csrf(self):
        code = self.survey()
        page = self.server.get("/login")
        csrf_cookie = page.headers["Set-Cookie"].split(";")[0]
        csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text).group(1)
        r = self.server.post("/login", urllib.parse.urlencode({"csrf": csrf, "token": self.team, "next": f"/upload/{code}"}),
                             headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": csrf_cookie})
        self.assertEqual(r.status, 303)
        sid = r.headers["Set-Cookie"].split(";")[0]
        page = self.server.get(f"/upload/{code}", headers={"Cookie": sid})
        self.assertEqual(page.status, 200)
        secret = re.search(r'data-csrf="([0-9a-f]{64})"', page.text).group(1)
        body = csv_file(row("X1"))
        r = self.upload(code, body, token="", headers={"Cookie": sid})
        self.assertEqual(r.status, 403, r.body)
        self.assertEqual(r.json()["error"]["code"], "csrf")
        r = self.upload(code, body, token="", headers={"Cookie": sid, "X-CSRF-Token": "0" * 64})
        self.assertEqual(r.status, 403)
        r = self.upload(code, body, token="", headers={"Cookie": sid, "X-CSRF-Token": secret})
        self.assertEqual(r.status, 201, r.body)
        self.assertEqual(self.stored(code), 1)

    # ---- template, codebook, page ----

    def test_template_and_codebook(self):
        code = self.survey()
        r = self.server.get(f"/api/v1/surveys/{code}/template.csv", token=self.team)
        self.assertEqual(r.status, 200)
        self.assertTrue(r.headers["Content-Type"].startswith("text/csv"))
        self.assertEqual(r.text.strip(), "serial,agency,channel,stratum,psu,weight,submitted_at," + ",".join(QUESTIONS))
        r = self.server.get(f"/api/v1/surveys/{code}/codebook.csv", token=self.admin)
        self.assertEqual(r.status, 200)
        rows = list(csv.DictReader(io.StringIO(r.body.decode("utf-8-sig"))))
        by = {x["column"]: x for x in rows}
        self.assertEqual([x["column"] for x in rows][-len(QUESTIONS):], QUESTIONS)
        self.assertEqual(by["S1_1"]["type"], "scale")
        self.assertIn("1 = Rất không hài lòng", by["S1_1"]["codes"])
        self.assertEqual(by["S1_1"]["required"], "yes")
        self.assertEqual(by["online"]["asked_if"], "used in 1")
        self.assertEqual(by["gender"]["text"], "Giới tính")
        self.assertEqual(self.server.get("/api/v1/surveys/nope/template.csv", token=self.admin).status, 404)
        # the template, filled in, uploads as it is
        filled = r = self.server.get(f"/api/v1/surveys/{code}/template.csv", token=self.team).text + row("T1") + "\n"
        self.assertEqual(self.upload(code, filled.encode()).status, 201)

    def test_page(self):
        code = self.survey()
        r = self.server.get(f"/upload/{code}", token=self.team)
        self.assertEqual(r.status, 200)
        self.assertIn('lang="vi"', r.text)
        self.assertIn('<script src="/static/upload.js"></script>', r.text)
        self.assertNotIn("http://", r.text.replace("http://www.w3.org", ""))
        self.assertIn("script-src 'self'", r.headers["Content-Security-Policy"])
        self.assertNotIn('id="history"', r.text)
        self.assertEqual(self.upload(code, csv_file(row("P1")), query="?name=" + urllib.parse.quote("<b>đợt 1.csv")).status, 201)
        r = self.server.get(f"/upload/{code}", token=self.admin)
        self.assertIn('id="history"', r.text)
        self.assertIn("&lt;b&gt;đợt 1.csv", r.text)
        self.assertIn("Quản trị", r.text)
        r = self.server.get(f"/upload/{code}")
        self.assertEqual(r.status, 303)
        self.assertEqual(r.headers["Location"], f"/login?next=/upload/{code}")
        self.assertEqual(self.server.get(f"/upload/{code}", token=self.analyst).status, 403)
        self.assertEqual(self.server.get("/upload/nope", token=self.admin).status, 404)
        js = self.server.get("/static/upload.js")
        self.assertEqual(js.status, 200)
        self.assertTrue(js.headers["Content-Type"].startswith("text/javascript"))
        with open(os.path.join(h.ROOT, "server", "pages", "static", "upload.js"), "rb") as f:
            self.assertEqual(js.body, f.read())

    # ---- the CLI ----

    def test_cli(self):
        code = self.survey()
        with tempfile.TemporaryDirectory() as d:
            good = os.path.join(d, "tot.csv")
            bad = os.path.join(d, "sai.csv")
            with open(good, "wb") as f:
                f.write(csv_file(row("L1"), row("L2", "STC")))
            with open(bad, "wb") as f:
                f.write(csv_file(row("L3"), row("L4", S1_1="9"), row("L1")))
            p = h.run_sipas(["upload", "--survey", code, "--dry-run", good], self.db.url)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(self.stored(code), 0)
            p = h.run_sipas(["upload", "--survey", code, good], self.db.url)
            self.assertEqual(p.returncode, 0, p.stderr)
            m = re.fullmatch(r"upload (\d+): 2 rows\n", p.stdout)
            self.assertTrue(m, p.stdout)
            self.assertEqual(self.db.sql(f"SELECT file_name, actor IS NOT NULL, token_id IS NULL FROM uploads"
                                         f" WHERE id = {m.group(1)}"), "tot.csv|t|t")
            p = h.run_sipas(["upload", "--survey", code, bad], self.db.url)
            self.assertEqual(p.returncode, 2)
            self.assertIn(f"{bad}: row 2: column S1_1:", p.stderr)
            self.assertIn(f"{bad}: row 3: column serial:", p.stderr)
            self.assertIn("L1", p.stderr)
            p = h.run_sipas(["upload", "--survey", code, good], self.db.url)
            self.assertEqual(p.returncode, 2)
            self.assertIn(f"upload {m.group(1)}", p.stderr)
            self.assertEqual(self.stored(code), 2)
            self.assertEqual(h.run_sipas(["upload", "--survey", "nope", good], self.db.url).returncode, 2)
            self.assertEqual(h.run_sipas(["upload", "--survey", code, os.path.join(d, "missing.csv")],
                                         self.db.url).returncode, 2)
            self.assertEqual(h.run_sipas(["upload", good], self.db.url).returncode, 2)
            self.assertEqual(h.run_sipas(["upload", "--help"]).returncode, 0)


if __name__ == "__main__":
    h.main()
