#!/usr/bin/python3
"""bench/fresh.py - the freshness of the estimates after a load, and the load of posts.

  fresh.py wait URL TOKEN SURVEY EXPECTED T0
      asks GET /api/v1/surveys/SURVEY/estimates?by=agency every 20 ms (a 503 "folding" is asked
      again at once) until its whole-round group counts EXPECTED responses; prints the seconds from
      T0 (the load's end, time.time()) to that first current answer. Gives up after 120 s.
  fresh.py post URL SURVEY AGENCY BODY.json N
      posts N responses (BODY with fresh ids) to /api/v1/surveys/SURVEY/responses on 32
      connections; prints the time.time() of the last reply. Exits 1 unless all were 201."""
import http.client
import json
import sys
import threading
import time
import urllib.parse
import uuid


def conn(url):
    u = urllib.parse.urlsplit(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=30)


def wait(url, token, survey, expected, t0):
    c = conn(url)
    deadline = time.time() + 120
    path = f"/api/v1/surveys/{survey}/estimates?by=agency"
    while time.time() < deadline:
        c.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        r = c.getresponse()
        body = r.read()
        if r.status == 200 and [g["n"] for g in json.loads(body)["groups"] if not g["by"]] == [expected]:
            print(f"{time.time() - t0:.3f}")
            return 0
        if r.status not in (200, 503):
            print(f"bench/fresh.py: {path} -> {r.status} {body[:200]!r}", file=sys.stderr)
            return 1
        if r.status == 200:
            time.sleep(0.02)
    print("bench/fresh.py: the estimates did not catch up in 120 s", file=sys.stderr)
    return 1


def post(url, survey, body_path, n):
    body = json.load(open(body_path, encoding="utf-8"))
    left, bad, lock = [n], [], threading.Lock()

    def worker():
        c = conn(url)
        while True:
            with lock:
                if left[0] == 0:
                    return
                left[0] -= 1
            b = dict(body, id=str(uuid.uuid4()))
            c.request("POST", f"/api/v1/surveys/{survey}/responses", json.dumps(b),
                      {"Content-Type": "application/json"})
            r = c.getresponse()
            r.read()
            if r.status != 201:
                bad.append(r.status)
    ts = [threading.Thread(target=worker) for _ in range(32)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print(f"{time.time():.6f}")
    if bad:
        print(f"bench/fresh.py: {len(bad)} posts refused, e.g. {bad[0]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    a = sys.argv[1:]
    if a and a[0] == "wait" and len(a) == 6:
        sys.exit(wait(a[1], a[2], a[3], int(a[4]), float(a[5])))
    if a and a[0] == "post" and len(a) == 6:
        sys.exit(post(a[1], a[2], a[4], int(a[5])))
    print(__doc__, file=sys.stderr)
    sys.exit(2)
