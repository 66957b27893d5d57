#!/usr/bin/env python3
"""Backups that restore (docs/operations.md, "Backups"): a loaded database (uploads, citizens'
responses, a withdrawn upload, a drawn sample whose contacts live in schema `contacts`) dumped
with pg_dump --format=custom and restored with pg_restore into a new database gives, from a
server on the restored database, the same estimates (JSON, by agency and by agency × question),
the same exports (responses.csv bytes), the same invitations with their contacts, the same row
count in every table of both schemas, and goes on working: a resent response is recognised
(200) and a new one is stored (201)."""
import os
import shutil
import subprocess
import tempfile
import unittest
import uuid

import harness as h

h.require_db()

FORM = os.path.join(h.ROOT, "tests", "data", "upload", "form.json")
HEADER = "serial,agency,gender,used,online,age,S1_1,S1_2,note"
AGENCIES = ["SNV", "STC", "STP", "SYT"]
SURVEY, INVITE = "sao-luu", "sao-luu-moi"
BASE = "https://khaosat.langson.gov.vn"
PG_DUMP, PG_RESTORE = os.path.join(h.PG_BIN, "pg_dump"), os.path.join(h.PG_BIN, "pg_restore")
# every table of the two schemas with its row count, in one text
TABLE_COUNTS = """
SELECT string_agg(t, ',' ORDER BY t) FROM (
  SELECT table_schema || '.' || table_name || '=' ||
         (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I.%I', table_schema, table_name),
                false, true, '')))[1]::text AS t
  FROM information_schema.tables WHERE table_schema IN ('public', 'contacts') AND table_type = 'BASE TABLE') x
"""


def upload_csv(prefix, rows):
    lines = [HEADER]
    for i in range(rows):
        lines.append(f"{prefix}-{i:04d},{AGENCIES[i % 4]},{1 + i % 2},1,1;2,{20 + i % 60},{1 + (i * 3) % 5},"
                     f"{1 + i % 3},\"góp ý, số {i}\"")
    return ("\n".join(lines) + "\n").encode()


def registry_csv(path, n):
    with open(path, "w", encoding="utf-8") as f:
        f.write("dossier,agency,procedure,completed_at,name,phone,email,address\n")
        for i in range(n):
            f.write(f"HS{i:04d},{AGENCIES[i % 4]},TTHC-1,2026-02-{1 + i % 28:02d},Nguyễn Thị {i},09{i:08d},,"
                    f"\"Số {i}, Lạng Sơn\"\n")


class Backup(unittest.TestCase):
    def test_dump_restore_same_figures(self):
        db, restored, tmp = h.Database(), None, tempfile.mkdtemp(prefix="sipas-backup-")
        servers = []
        try:
            url = db.url
            h.run_sipas(["migrate"], url, check=True)
            h.run_sipas(["agencies", "import", os.path.join(h.ROOT, "sql/demo/agencies-lang-son.csv")], url, check=True)
            h.run_sipas(["forms", "load", FORM], url, check=True)
            h.run_sipas(["survey", "create", "--id", SURVEY, "--form", "upload-test", "--title", "Đợt sao lưu"], url,
                        check=True)
            h.run_sipas(["survey", "create", "--id", INVITE, "--form", "upload-test", "--title", "Đợt mời",
                         "--access", "invite"], url, check=True)
            registry = os.path.join(tmp, "registry.csv")
            registry_csv(registry, 400)
            h.run_sipas(["sample", "draw", "--survey", INVITE, "--registry", registry, "--seed", "7"], url, check=True)
            admin = h.run_sipas(["token", "create", "--role", "admin"], url, check=True).stdout.strip()
            server = h.Server(url)
            servers.append(server)
            for k, rows in enumerate((300, 200, 50)):
                r = server.post(f"/api/v1/surveys/{SURVEY}/uploads", body=upload_csv(f"P{k}", rows),
                                headers={"Content-Type": "text/csv"}, token=admin)
                self.assertEqual(r.status, 201, r.body)
                last_upload = r.json()["upload"]
            r = server.post(f"/api/v1/uploads/{last_upload}/withdraw", token=admin)
            self.assertEqual(r.status, 200, r.body)
            bodies = []
            for i in range(40):
                bodies.append({"id": str(uuid.uuid4()), "agency": AGENCIES[i % 4],
                               "answers": {"gender": 1 + i % 2, "used": 0, "S1_1": 1 + i % 5, "note": f"ý kiến {i}"}})
                self.assertEqual(server.post(f"/api/v1/surveys/{SURVEY}/responses", body=bodies[-1]).status, 201)
            paths = [f"/api/v1/surveys/{SURVEY}/estimates?by=agency",
                     f"/api/v1/surveys/{SURVEY}/estimates?by=agency&by=gender",
                     f"/api/v1/surveys/{SURVEY}/responses.csv"]
            before = {p: server.get(p, token=admin) for p in paths}
            for p, r in before.items():
                self.assertEqual(r.status, 200, (p, r.body[:300]))
            self.assertEqual(before[paths[0]].json()["groups"][0]["n"], 540)
            invites = h.run_sipas(["invites", "export", "--survey", INVITE, "--base-url", BASE], url, check=True).stdout
            self.assertGreater(len(invites.splitlines()), 100)
            counts = db.sql(TABLE_COUNTS)
            self.assertIn("contacts.invite_contacts=", counts)
            self.assertNotIn("contacts.invite_contacts=0,", counts + ",")

            # the procedure of docs/operations.md
            dump = os.path.join(tmp, "sipas.dump")
            subprocess.run([PG_DUMP, "--format=custom", f"--file={dump}", url], check=True, capture_output=True)
            restored = h.Database()
            p = subprocess.run([PG_RESTORE, "--no-owner", "--exit-on-error", f"--dbname={restored.url}", dump],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(restored.sql(TABLE_COUNTS), counts)
            again = h.Server(restored.url)
            servers.append(again)
            for p in paths:
                r = again.get(p, token=admin)
                self.assertEqual(r.status, 200, (p, r.body[:300]))
                if p.endswith(".csv"):
                    self.assertEqual(r.body, before[p].body, p)
                else:
                    self.assertEqual(r.json(), before[p].json(), p)
            self.assertEqual(h.run_sipas(["invites", "export", "--survey", INVITE, "--base-url", BASE], restored.url,
                                         check=True).stdout, invites)
            # and it goes on: a resend is recognised, a new response stored and counted
            self.assertEqual(again.post(f"/api/v1/surveys/{SURVEY}/responses", body=bodies[0]).status, 200)
            new = dict(bodies[1], id=str(uuid.uuid4()))
            self.assertEqual(again.post(f"/api/v1/surveys/{SURVEY}/responses", body=new).status, 201)
            self.assertEqual(again.get(paths[0], token=admin).json()["groups"][0]["n"], 541)
            print(f"\nbackup: pg_dump {os.path.getsize(dump)} bytes; restored: {counts.count('=')} tables equal,"
                  " estimates and responses.csv identical", flush=True)
            for s in servers:
                self.assertEqual(s.stop(), 0, s.read_log())
            servers = []
        finally:
            for s in servers:
                s.stop()
            db.close()
            if restored:
                restored.close()
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    h.main()
