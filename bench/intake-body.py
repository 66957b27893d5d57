#!/usr/bin/python3
"""Prints a valid JSON intake body (without "id") for a form definition: every question asked
gets an answer (scale: a positive code; single/multi: the first option; number: its minimum or
30; text: a short Vietnamese sentence), so the stored row is as large as a full response.
Usage: intake-body.py FORM.json AGENCY"""
import json
import sys


def main():
    form = json.load(open(sys.argv[1], encoding="utf-8"))
    answers = {}
    for sec in form["sections"]:
        for q in sec["questions"]:
            cond = q.get("show_if")
            if cond:
                got = answers.get(cond["question"])
                got = got if isinstance(got, list) else [got]
                if not any(c in cond["in"] for c in got):
                    continue
            t = q["type"]
            if t == "scale":
                sc = form["scales"][q["scale"]]
                answers[q["id"]] = (sc.get("positive") or sc["codes"])[0]
            elif t == "single":
                answers[q["id"]] = q["options"][0]["code"]
            elif t == "multi":
                answers[q["id"]] = [q["options"][0]["code"]]
            elif t == "number":
                answers[q["id"]] = q.get("min", 30)
            else:
                answers[q["id"]] = "Cán bộ hướng dẫn tận tình, chu đáo."
    print(json.dumps({"agency": sys.argv[2], "answers": answers}, ensure_ascii=False))


main()
