#!/usr/bin/python3
"""Generates a benchmark survey: a form with 19 items in 5 elements, ROWS responses from AGENCIES
agencies (stratum = agency), and a frame with each stratum's population.
Usage: gen.py OUTDIR ROWS AGENCIES [SEED]. Writes OUTDIR/form.json, responses.csv, frame.csv."""
import json
import os
import random
import sys

ELEMENTS = [("S1", 5), ("S2", 4), ("S3", 5), ("S4", 3), ("S5", 2)]   # 19 items


def main():
    out, rows, agencies = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rnd = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 2024)
    os.makedirs(out, exist_ok=True)
    items = [f"{e}_{i}" for e, k in ELEMENTS for i in range(1, k + 1)]
    form = {
        "id": "bench-agency", "version": 1, "title": "Benchmark", "respondent": "individual",
        "scales": {"likert5": {"codes": [1, 2, 3, 4, 5],
                               "labels": ["Rất không hài lòng", "Không hài lòng", "Bình thường",
                                          "Hài lòng", "Rất hài lòng"],
                               "positive": [4, 5]}},
        "sections": [
            {"id": "A", "title": "Thông tin", "questions": [
                {"id": "gender", "type": "single", "text": "Giới tính",
                 "options": [{"code": 1, "label": "Nam"}, {"code": 2, "label": "Nữ"}]}]},
            {"id": "B", "title": "Đánh giá", "questions": [
                {"id": it, "type": "scale", "scale": "likert5", "text": f"Tiêu chí {it}"} for it in items]},
        ],
        "indices": [{"id": "sipas", "label": "Chỉ số hài lòng", "of": [e for e, _ in ELEMENTS]}] +
                   [{"id": e, "label": f"Yếu tố {e}", "of": [f"{e}_{i}" for i in range(1, k + 1)]}
                    for e, k in ELEMENTS],
    }
    with open(os.path.join(out, "form.json"), "w", encoding="utf-8") as f:
        json.dump(form, f, ensure_ascii=False, indent=1)

    codes = [f"AG{i:03d}" for i in range(1, agencies + 1)]
    share = [rnd.uniform(0.3, 1.7) for _ in codes]
    total = sum(share)
    sizes = [max(2, int(rows * s / total)) for s in share]
    sizes[-1] += rows - sum(sizes)
    propensity = [rnd.uniform(0.55, 0.95) for _ in codes]
    with open(os.path.join(out, "frame.csv"), "w", encoding="utf-8") as f:
        f.write("stratum,population,target\n")
        for c, n in zip(codes, sizes):
            f.write(f"{c},{n * rnd.randint(3, 20)},{n}\n")

    # rows in a random agency order, as uploads arrive
    order = [a for a, n in enumerate(sizes) for _ in range(n)]
    rnd.shuffle(order)
    pos = [["4", "5"], ["5", "4", "4"]]
    neg = ["1", "2", "3", "3"]
    with open(os.path.join(out, "responses.csv"), "w", encoding="utf-8", newline="") as f:
        f.write("serial,agency,stratum,gender," + ",".join(items) + "\n")
        buf = []
        r = rnd.random
        for i, a in enumerate(order):
            p = propensity[a]
            cells = []
            for _ in items:
                u = r()
                if u < 0.05:
                    cells.append("")
                elif u < 0.05 + 0.95 * p:
                    cells.append(pos[i & 1][int(r() * len(pos[i & 1]))])
                else:
                    cells.append(neg[int(r() * 4)])
            buf.append(f"P{i:07d},{codes[a]},{codes[a]},{1 + (i % 2)}," + ",".join(cells) + "\n")
            if len(buf) >= 10000:
                f.write("".join(buf))
                buf.clear()
        f.write("".join(buf))


if __name__ == "__main__":
    main()
