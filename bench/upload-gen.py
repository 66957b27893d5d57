#!/usr/bin/python3
"""upload-gen.py - the rows of the upload benchmark, prepared twice from the same random draws:
as a responses file (docs/formats.md, responses CSV: what a survey team uploads) and as COPY text for the same
columns of the responses table (what `psql \\copy` loads directly).

Usage: upload-gen.py FORM.json ROWS SURVEY_ID AGENCIES.csv OUT.csv OUT.copy [SEED]
  AGENCIES.csv: `code,id` lines (the agencies of the database under test).
Answers follow the form: scale/single codes, multi code sets, numbers in bounds, show_if and
required respected; serials are B0000001..."""
import json
import random
import sys


def main():
    form_path, rows, survey_id, agencies_path, out_csv, out_copy = sys.argv[1:7]
    rows, seed = int(rows), int(sys.argv[7]) if len(sys.argv) > 7 else 2026
    rnd = random.Random(seed)
    form = json.load(open(form_path, encoding="utf-8"))
    scales = form.get("scales", {})
    qs = [q for s in form["sections"] for q in s["questions"]]
    agencies = [line.strip().split(",") for line in open(agencies_path) if line.strip()]
    for q in qs:
        if q["type"] == "scale":
            q["_codes"] = scales[q["scale"]]["codes"]
        elif q["type"] in ("single", "multi"):
            q["_codes"] = [o["code"] for o in q["options"]]
    header = ["serial", "agency", "channel", "stratum", "psu", "weight", "submitted_at"] + [q["id"] for q in qs]
    with open(out_csv, "w", encoding="utf-8", newline="") as fc, open(out_copy, "w", encoding="utf-8") as fp:
        fc.write(",".join(header) + "\n")
        for i in range(1, rows + 1):
            code, aid = agencies[rnd.randrange(len(agencies))]
            ans, cells, slots = {}, [], []
            for q in qs:
                v = None
                sif = q.get("show_if")
                asked = not sif or ans.get(sif["question"]) in sif["in"]
                if asked and (q.get("required") or rnd.random() < 0.9):
                    t = q["type"]
                    if t in ("scale", "single"):
                        v = rnd.choice(q["_codes"])
                    elif t == "multi":
                        v = sorted(rnd.sample(q["_codes"], rnd.randint(1, min(3, len(q["_codes"])))))
                    elif t == "number":
                        lo, hi = int(q.get("min", 18)), int(q.get("max", 80))
                        v = rnd.randint(lo, max(lo, min(hi, lo + 60)))
                    elif rnd.random() < 0.1:
                        v = "Ý kiến số %d" % i
                if v is not None:
                    ans[q["id"]] = v
                if q["type"] in ("scale", "single"):
                    slots.append(v)
                cells.append("" if v is None else ";".join(map(str, v)) if isinstance(v, list) else str(v))
            serial = "B%07d" % i
            day = "2026-%02d-%02d" % (rnd.randint(1, 12), rnd.randint(1, 28))
            fc.write(",".join([serial, code, "", "", "", "", day] + cells) + "\n")
            # as sipas stores a paper row (sql/008_compact.sql): the coded answers as a bytea,
            # the other answers as JSON (none: NULL), no content hash
            uncoded = {q["id"]: ans[q["id"]] for q in qs if q["id"] in ans and q["type"] not in ("scale", "single")}
            answers = json.dumps(uncoded, ensure_ascii=False, separators=(",", ":")).replace("\\", "\\\\")
            width = 2 if any(v is not None and v >= 255 for v in slots) else 1
            codes = "%02x" % width + "".join("%0*x" % (2 * width, 0 if v is None else v + 1) for v in slots)
            fp.write("\t".join([survey_id, aid, "paper", serial, code, day, "\\\\x" + codes,
                                answers if uncoded else "\\N"]) + "\n")


if __name__ == "__main__":
    main()
