#!/usr/bin/python3
"""Properties of `sipas analyze` on the golden sets: the row order does not matter, multiplying
every weight by a constant changes no estimate or standard error, a group that is the whole
survey gives the whole-survey figures, several --by give their combinations, CSV output has
one row per group and estimate, and bad input exits 2 with FILE:ROW: column X: on stderr.
The sets (tests/golden/sets/) are part of the repository: without them the test fails.
Usage: properties.py SIPAS GOLDEN_DIR. Exit 0 pass, 1 fail."""
import csv
import io
import json
import os
import random
import shlex
import subprocess
import sys
import tempfile

FAILS = []


def check(cond, what):
    if not cond:
        FAILS.append(what)
        print("FAIL", what)
    return cond


def sipas_cmd(sipas):
    if os.environ.get("SIPAS_VALGRIND"):
        return ["valgrind", "--quiet", "--error-exitcode=99", "--leak-check=full",
                "--errors-for-leak-kinds=definite", sipas]
    return [sipas]


def run(sipas, args, cwd=None, stdin=None):
    p = subprocess.run(sipas_cmd(sipas) + ["analyze"] + args, cwd=cwd, input=stdin,
                       capture_output=True, timeout=600)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def golden_args(golden, name):
    folder = os.path.join(golden, name)
    with open(os.path.join(folder, "args"), encoding="utf-8") as f:
        args = shlex.split(f.read())
    # make file arguments absolute, so the command runs anywhere
    out = []
    for a in args:
        p = os.path.join(folder, a)
        out.append(p if not a.startswith("-") and os.path.exists(p) else a)
    return out


def numbers_close(a, b, tol, path="$"):
    """True when a and b have the same structure and numbers within a relative tol."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(
            numbers_close(a[k], b[k], tol, f"{path}.{k}") for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(
            numbers_close(x, y, tol, f"{path}[{i}]") for i, (x, y) in enumerate(zip(a, b)))
    if isinstance(a, float) or isinstance(b, float):
        if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
            print(f"   {path}: {a!r} vs {b!r}")
            return False
        ok = abs(a - b) <= tol * max(abs(a), abs(b), 1e-300) or abs(a - b) < 1e-13
        if not ok:
            print(f"   {path}: {a!r} vs {b!r}")
        return ok
    if a != b:
        print(f"   {path}: {a!r} vs {b!r}")
    return a == b


def rewrite(src, dst, fn, shuffle=False, seed=7):
    """Copies a responses file through fn(header, row) -> row, optionally shuffling the rows."""
    with open(src, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    body = [fn(header, r) for r in body]
    if shuffle:
        random.Random(seed).shuffle(body)
    with open(dst, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(body)


def main():
    sipas, golden = os.path.abspath(sys.argv[1]), sys.argv[2]
    for name in ("strat_frame", "cluster_fpc", "strat_field_weights", "edge_cases"):
        if not os.path.isfile(os.path.join(golden, name, "args")):
            print(f"FAIL no golden set {name} in {golden}")
            return 1
    tmp = tempfile.mkdtemp(prefix="sipas-analyze-")

    # the row order does not matter (frame weights; given weights with clusters)
    for name in ("strat_frame", "cluster_fpc"):
        args = golden_args(golden, name)
        rc, base, err = run(sipas, args)
        if not check(rc == 0, f"{name}: exit {rc}: {err}"):
            continue
        shuffled = os.path.join(tmp, f"{name}-shuffled.csv")
        rewrite(args[-1], shuffled, lambda h, r: r, shuffle=True)
        rc, out, err = run(sipas, args[:-1] + [shuffled])
        check(rc == 0 and numbers_close(json.loads(base), json.loads(out), 1e-10),
              f"{name}: shuffled rows give other figures")
        # the same bytes from standard input
        with open(args[-1], "rb") as f:
            rc, out, err = run(sipas, args[:-1] + ["-"], stdin=f.read())
        check(rc == 0 and out == base, f"{name}: reading standard input differs")

    # every weight times a constant: the same estimates, se, intervals and tests
    name = "strat_field_weights"
    args = golden_args(golden, name)
    rc, base, err = run(sipas, args)
    scaled = os.path.join(tmp, "scaled.csv")

    def times(h, r):
        i = h.index("weight")
        r = list(r)
        r[i] = repr(float(r[i]) * 7.25)
        return r
    rewrite(args[-1], scaled, times)
    rc, out, err = run(sipas, args[:-1] + [scaled])
    check(rc == 0 and numbers_close(json.loads(base), json.loads(out), 1e-10),
          f"{name}: weights x 7.25 change the figures")

    # a group that is the whole survey: --by channel (every row is "paper")
    name = "strat_frame"
    args = golden_args(golden, name)
    rc, out, err = run(sipas, ["--by", "channel"] + [a for a in args if a != "agency" and a != "--by"])
    if check(rc == 0, f"--by channel: exit {rc}: {err}"):
        doc = json.loads(out)
        check(len(doc["groups"]) == 2 and doc["groups"][1]["by"] == {"channel": "paper"},
              "--by channel: one group, paper")
        whole, paper = doc["groups"]
        check(numbers_close(whole["estimates"], paper["estimates"], 1e-12) and whole["n"] == paper["n"],
              "--by channel: the group equal to the survey has other figures")

    # several --by: combinations, sorted (codes as numbers)
    rc, out, err = run(sipas, args[:-1] + ["--by", "gender", args[-1]])
    if check(rc == 0, f"--by agency --by gender: exit {rc}: {err}"):
        doc = json.loads(out)
        keys = [(g["by"].get("agency"), g["by"].get("gender")) for g in doc["groups"][1:]]
        check(doc["groups"][0]["by"] == {}, "whole survey first")
        check(keys == sorted(keys) and len(keys) == len(set(keys)) and len(keys) >= 20,
              f"combinations sorted and distinct: {keys[:5]}...")
        check(all(isinstance(g, int) for _, g in keys), "question codes are JSON numbers")
        check(sum(g["n"] for g in doc["groups"][1:]) <= doc["groups"][0]["n"], "group sizes add up")

    # CSV: one row per group x estimate, same numbers as the JSON
    rc, js, err = run(sipas, args)
    rc2, cs, err2 = run(sipas, ["--format", "csv"] + args)
    if check(rc == 0 and rc2 == 0, f"--format csv: exit {rc2}: {err2}"):
        doc = json.loads(js)
        rows = list(csv.DictReader(io.StringIO(cs.decode("utf-8"))))
        nest = len(doc["groups"][0]["estimates"])
        check(len(rows) == len(doc["groups"]) * nest, f"csv rows {len(rows)}")
        first = doc["groups"][1]["estimates"][0]
        r = rows[nest]
        check(r["agency"] == doc["groups"][1]["by"]["agency"] and r["index"] == first["index"] and
              float(r["estimate"]) == first["estimate"] and float(r["se"]) == first["se"] and
              int(r["df"]) == first["df"] and float(r["p_value"]) == first["vs_baseline"]["p_value"],
              "csv row equals the json estimate")
        check(rows[0]["agency"] == "", "whole survey rows have an empty agency")

    # bad input: exit 2 and the place of the fault
    edge = golden_args(golden, "edge_cases")
    form = edge[edge.index("--form") + 1]
    frame = edge[edge.index("--frame") + 1]
    resp = edge[-1]
    cases = []
    rc, _, err = run(sipas, ["--form", form, os.path.join(tmp, "missing.csv")])
    cases.append(("missing file", rc == 2 and "missing.csv" in err, err))
    rc, _, err = run(sipas, ["--form", form, "--by", "nosuch", resp])
    cases.append(("unknown --by", rc == 2 and "nosuch" in err, err))
    rc, _, err = run(sipas, ["--form", form, "--by", "agency", resp])
    cases.append(("lonely PSU under fail", rc == 2 and "LONE" in err, err))
    bad = os.path.join(tmp, "bad.csv")
    with open(resp, encoding="utf-8") as f:
        lines = f.read().splitlines()
    with open(bad, "w", encoding="utf-8") as f:
        f.write("\n".join(lines[:3] + [lines[3].rsplit(",", 1)[0] + ",9"] + lines[4:]) + "\n")
    rc, _, err = run(sipas, ["--form", form, "--lonely-psu", "adjust", bad])
    cases.append(("code out of range", rc == 2 and "bad.csv:3: column E2_2" in err, err))
    with open(bad, "w", encoding="utf-8") as f:
        f.write(lines[0] + ",colour\n" + "\n".join(l + ",red" for l in lines[1:]) + "\n")
    rc, _, err = run(sipas, ["--form", form, bad])
    cases.append(("unknown column", rc == 2 and "colour" in err, err))
    badframe = os.path.join(tmp, "frame.csv")
    with open(badframe, "w", encoding="utf-8") as f:
        f.write("stratum,population\nAG01,100\nAG02,many\n")
    rc, _, err = run(sipas, ["--form", form, "--frame", badframe, resp])
    cases.append(("bad frame", rc == 2 and "frame.csv:2: column population" in err, err))
    with open(badframe, "w", encoding="utf-8") as f:
        f.write("stratum,population\nAG01,100\n")
    rc, _, err = run(sipas, ["--form", form, "--frame", badframe, "--lonely-psu", "adjust", resp])
    cases.append(("stratum not in frame", rc == 2 and "not in the frame" in err, err))
    rc, _, err = run(sipas, ["--form", form, "--ci", "exact", resp])
    cases.append(("bad --ci", rc == 2 and "--ci" in err, err))
    rc, _, err = run(sipas, ["--form", form, "--baseline", "abc", resp])
    cases.append(("bad --baseline", rc == 2 and "--baseline" in err, err))
    rc, _, err = run(sipas, [resp])
    cases.append(("no --form", rc == 2 and "--form" in err, err))
    rc, _, err = run(sipas, ["--form", os.path.join(tmp, "none.json"), resp])
    cases.append(("missing form", rc == 2 and "none.json" in err, err))
    rc, out, err = run(sipas, ["--help"])
    cases.append(("--help", rc == 0 and b"--lonely-psu" in out, err))
    for what, ok, err in cases:
        check(ok, f"{what}: {err.strip()[:300]}")

    print(f"{'ok' if not FAILS else 'FAILED'}: {len(FAILS)} failures")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
