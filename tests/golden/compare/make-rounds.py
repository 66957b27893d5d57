#!/usr/bin/python3
"""Writes the two rounds of the compare golden case (round1.csv, round2.csv: the upload format of
docs/formats.md, responses CSV) from a fixed seed. Run once; the files are committed, and R's
figures for them (make-golden-compare.R) are in expected.json. Usage: make-rounds.py DIR"""
import csv
import random
import sys

ITEMS = ["S1_1", "S1_2", "S1_3", "S2_1", "S2_2"]
HEADER = ["serial", "agency", "channel", "stratum", "psu", "weight", "submitted_at", "gender"] + ITEMS
# agency: (rows in round 1, rows in round 2, clustered); LS is only in round 2, X.CAOLOC only in 1
PLAN = {"SNV": (60, 55, False), "STC": (48, 50, True), "STP": (40, 44, False), "LS": (0, 30, False),
        "X.CAOLOC": (35, 0, False)}


def rows(seed, which, prefix):
    rnd = random.Random(seed)
    out = []
    for agency, plan in PLAN.items():
        n, clustered = plan[which], plan[2]
        p_sat = rnd.uniform(0.55, 0.92)
        for i in range(n):
            v = {"serial": f"{prefix}-{agency}-{i}", "agency": agency, "channel": rnd.choice(["paper", "phone", "web"]),
                 "stratum": "", "psu": f"C{i % 6}" if clustered else "", "weight": "",
                 "submitted_at": f"2026-03-{1 + i % 28:02d}", "gender": rnd.choice(["1", "2", "2", ""])}
            for q in ITEMS:
                v[q] = "" if rnd.random() < 0.07 else rnd.choice(["4", "5"]) if rnd.random() < p_sat \
                    else rnd.choice(["1", "2", "3"])
            out.append(v)
    return out


def main():
    for which, seed in ((0, 11), (1, 12)):
        with open(f"{sys.argv[1]}/round{which + 1}.csv", "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(HEADER)
            for r in rows(seed, which, f"R{which + 1}"):
                w.writerow([r[c] for c in HEADER])


main()
