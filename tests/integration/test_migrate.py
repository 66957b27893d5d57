#!/usr/bin/env python3
"""Migrations on databases that already hold data. 008 (compact responses) on responses in the
layout of migrations 001-007 (codes as smallint[], the whole answers object, a content hash on
every row): afterwards every response reads back the same (sipas_codes, sipas_answers), the
exported coded columns equal what was stored, a resend of a stored web response is still
recognised, and the kept aggregates are rebuilt to count every response once. 011 (an upload's
range of response ids) on uploads stored before it."""
import csv
import hashlib
import io
import json
import os
import random
import shutil
import tempfile
import unittest
import uuid

import harness as h

h.require_db()


def literal(s):
    return "'" + s.replace("'", "''") + "'"


ORDER = ("gender", "used", "online", "age", "S1_1", "S1_2", "note")      # the form's question order


def content_hash(answers, agency):
    """What the server keeps to recognise a resend: the SHA-256 of the normalised answers
    (question order, compact) and the agency (server/store/intake.c)."""
    norm = json.dumps({k: answers[k] for k in ORDER if k in answers}, ensure_ascii=False, separators=(",", ":"))
    return "\\x" + hashlib.sha256((norm + "\n" + agency).encode()).hexdigest()


FORM = os.path.join(h.ROOT, "tests", "data", "upload", "form.json")
SURVEY = "nang-cap"
AGENCIES = ["SNV", "STC", "STP"]
ROWS = 120


def old_rows(seed):
    """Responses of the upload-test form as 007 stored them: (codes, answers) with the slots
    gender, used, S1_1, S1_2 (the form's single and scale questions, in order)."""
    rnd = random.Random(seed)
    out = []
    for i in range(ROWS):
        a = {}
        for q, codes in (("gender", [1, 2]), ("used", [0, 1]), ("S1_1", [1, 2, 3, 4, 5]), ("S1_2", [1, 2, 3, 4, 5])):
            if q in ("used", "S1_1") or rnd.random() < 0.85:        # used and S1_1 are required
                a[q] = rnd.choice(codes)
        if a["used"] == 1 and rnd.random() < 0.7:                    # asked only after used = 1
            a["online"] = sorted(rnd.sample([1, 2, 3], 2))
        if rnd.random() < 0.5:
            a["age"] = rnd.randint(18, 80)
        if rnd.random() < 0.3:
            a["note"] = f"Ý kiến \"số\" {i}, C:\\tệp"
        slots = [a.get(q) for q in ("gender", "used", "S1_1", "S1_2")]
        out.append((slots, a))
    return out


class Migrate(unittest.TestCase):
    def migrated_below(self, first, db, tmp):
        """db with the migrations before first only (copied to tmp/sql), the demo agencies, the
        upload-test form and the round SURVEY."""
        old = os.path.join(tmp, "sql")
        os.mkdir(old)
        for name in sorted(os.listdir(os.path.join(h.ROOT, "sql"))):
            if name.endswith(".sql") and name < first:
                shutil.copy(os.path.join(h.ROOT, "sql", name), old)
        env = {"SIPAS_MIGRATIONS_DIR": old}
        p = h.run_sipas(["migrate"], db.url, env=env, check=True)
        self.assertEqual(p.stdout.strip(), f"{len(os.listdir(old))} migration(s) applied")
        h.run_sipas(["agencies", "import", os.path.join(h.ROOT, "sql/demo/agencies-lang-son.csv")], db.url,
                    env=env, check=True)
        h.run_sipas(["forms", "load", FORM], db.url, env=env, check=True)
        h.run_sipas(["survey", "create", "--id", SURVEY, "--form", "upload-test", "--title", "Nâng cấp"],
                    db.url, env=env, check=True)

    def test_008_on_stored_responses(self):
        db, tmp, server = h.Database(), tempfile.mkdtemp(prefix="sipas-migrate-"), None
        try:
            self.migrated_below("008", db, tmp)
            rows = old_rows(8)
            values = []
            for i, (slots, a) in enumerate(rows):
                codes = "{" + ",".join("NULL" if v is None else str(v) for v in slots) + "}"
                web = i % 2 == 0
                values.append("((SELECT id FROM surveys WHERE code = '%s'), (SELECT id FROM agencies WHERE code = '%s'),"
                              " %s, %s, %s, '%s', '%s'::smallint[], %s::jsonb, %s::bytea)" % (
                                  SURVEY, AGENCIES[i % 3], f"'{uuid.UUID(int=i + 1)}'" if web else "NULL",
                                  "'web'" if web else "'paper'", "NULL" if web else f"'P-{i}'", AGENCIES[i % 3],
                                  codes, literal(json.dumps(a, ensure_ascii=False)),
                                  literal(content_hash(a, AGENCIES[i % 3]))))
            db.sql("INSERT INTO responses (survey_id, agency_id, client_id, channel, serial, stratum, codes, answers,"
                   " content_hash) VALUES " + ",".join(values))
            self.assertEqual(db.sql("SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
                                    " WHERE attrelid = 'responses'::regclass AND attname = 'codes'"), "smallint[]")

            p = h.run_sipas(["migrate"], db.url, check=True)          # the compiled-in migrations: 008 on
            later = len([n for n in os.listdir(os.path.join(h.ROOT, "sql")) if n.endswith(".sql") and n >= "008"])
            self.assertEqual(p.stdout.strip(), f"{later} migration(s) applied")
            got = db.sql("SELECT sipas_codes(codes), sipas_answers(r), length(codes) FROM responses r ORDER BY id")
            got = [line.split("|") for line in got.splitlines()]
            self.assertEqual(len(got), ROWS)
            for (slots, a), (codes, answers, length) in zip(rows, got):
                self.assertEqual(codes, "{" + ",".join("NULL" if v is None else str(v) for v in slots) + "}")
                self.assertEqual(json.loads(answers), a)
                self.assertEqual(length, "5")                        # the width byte and four codes

            admin = h.run_sipas(["token", "create", "--role", "admin"], db.url, check=True).stdout.strip()
            server = h.Server(db.url)
            r = server.get(f"/api/v1/surveys/{SURVEY}/responses.csv", token=admin)
            self.assertEqual(r.status, 200, r.body)
            exported = list(csv.DictReader(io.StringIO(r.body.decode("utf-8"))))
            self.assertEqual(len(exported), ROWS)
            for (slots, a), row in zip(rows, exported):
                self.assertEqual([row[q] for q in ("gender", "used", "S1_1", "S1_2")],
                                 ["" if v is None else str(v) for v in slots])
                self.assertEqual(row["note"], a.get("note", ""))
            # a web response stored before 008, resent with the same answers, is still a replay,
            # and with other answers a conflict
            slots, a = rows[0]
            r = server.post(f"/api/v1/surveys/{SURVEY}/responses",
                            body=json.dumps({"id": str(uuid.UUID(int=1)), "agency": AGENCIES[0], "answers": a}),
                            headers={"Content-Type": "application/json"})
            self.assertEqual(r.status, 200, r.body)
            self.assertEqual(r.json(), {"id": str(uuid.UUID(int=1))})
            other = dict(a, S1_1=5 if a.get("S1_1") != 5 else 4)
            r = server.post(f"/api/v1/surveys/{SURVEY}/responses",
                            body=json.dumps({"id": str(uuid.UUID(int=1)), "agency": AGENCIES[0], "answers": other}),
                            headers={"Content-Type": "application/json"})
            self.assertEqual(r.status, 409, r.body)
            r = server.get(f"/api/v1/surveys/{SURVEY}/estimates?by=agency", token=admin)
            self.assertEqual(r.status, 200, r.body)
            groups = {g["by"].get("agency", ""): g["n"] for g in r.json()["groups"]}
            self.assertEqual(groups[""], ROWS)
            self.assertEqual([groups[a] for a in AGENCIES], [ROWS // 3] * 3)
        finally:
            if server:
                self.assertEqual(server.stop(), 0, server.read_log())
            db.close()
            shutil.rmtree(tmp, ignore_errors=True)


    def test_011_on_stored_uploads(self):
        """Migration 011 (an upload's range of response ids) on uploads stored before it, their
        rows interleaved with others': each range holds its upload's rows, and withdrawing an
        upload afterwards withdraws exactly its rows."""
        db, tmp, server = h.Database(), tempfile.mkdtemp(prefix="sipas-migrate-"), None
        try:
            self.migrated_below("011", db, tmp)
            sid = db.sql(f"SELECT id FROM surveys WHERE code = '{SURVEY}'")
            ups = [db.sql(f"INSERT INTO uploads (survey_id, sha256, rows) VALUES ({sid}, '\\x0{i}', 0)"
                          " RETURNING id") for i in range(3)]                 # the last stores nothing
            # rows of the first two uploads and of none, interleaved: 0, 1, -, 0, 1, -, ...
            names = [ups[0], ups[1], "NULL"] * 10
            db.sql("INSERT INTO responses (survey_id, agency_id, channel, serial, stratum, codes, upload_id) SELECT "
                   f"{sid}, (SELECT id FROM agencies WHERE code = 'SNV'), 'paper', 'P-' || i, 'SNV', '\\x010104'::bytea,"
                   f" (ARRAY[{','.join(names)}]::bigint[])[i] FROM generate_series(1, {len(names)}) i ORDER BY i")

            p = h.run_sipas(["migrate"], db.url, check=True)          # the compiled-in migrations: 011 on
            later = len([n for n in os.listdir(os.path.join(h.ROOT, "sql")) if n.endswith(".sql") and n >= "011"])
            self.assertEqual(p.stdout.strip(), f"{later} migration(s) applied")
            self.assertEqual(db.sql("SELECT count(*) FROM pg_indexes WHERE indexname = 'responses_upload'"), "0")
            got = db.sql("SELECT u.id, u.first_response = min(r.id), u.last_response = max(r.id), count(r.id)"
                         " FROM uploads u LEFT JOIN responses r ON r.upload_id = u.id GROUP BY u.id ORDER BY u.id")
            self.assertEqual(got.splitlines(), [f"{ups[0]}|t|t|10", f"{ups[1]}|t|t|10", f"{ups[2]}|||0"])

            admin = h.run_sipas(["token", "create", "--role", "admin"], db.url, check=True).stdout.strip()
            server = h.Server(db.url)
            for up, n in ((ups[1], 10), (ups[2], 0)):
                r = server.post(f"/api/v1/uploads/{up}/withdraw", token=admin)
                self.assertEqual(r.status, 200, r.body)
                self.assertEqual(r.json()["responses"], n)
            self.assertEqual(db.sql("SELECT coalesce(upload_id::text, '-'), count(*) FILTER (WHERE withdrawn), count(*)"
                                    " FROM responses GROUP BY 1 ORDER BY 1").splitlines(),
                             ["-|0|10", f"{ups[0]}|0|10", f"{ups[1]}|10|10"])
        finally:
            if server:
                self.assertEqual(server.stop(), 0, server.read_log())
            db.close()
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
