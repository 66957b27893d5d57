#!/usr/bin/env python3
"""Published results in a real browser (Debian's chromium + chromedriver, headless) on a phone
(390x844): a round of the demo form with responses from the benchmark's generator, one agency
under 30 responses; /results/{survey} is 404 before `sipas survey publish`, then shows the
headline, the ranking with every agency of 30 or more responses in the order of the JSON's
estimates, the agencies under 30 listed by name without figures, nothing wider than the phone,
and the open-data link to the JSON. A screenshot goes to build/ (not in git)."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

import browser as b  # noqa: E402  (skips without a database or a browser)
from browser import h  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

FORM = os.path.join(h.ROOT, "survey-forms", "agency-2024-individual.json")
FRAME = os.path.join(h.ROOT, "sql", "demo", "frame-demo.csv")
ROWS = 900


def dec1(v):
    return ("%.1f" % v).replace(".", ",")


class ResultsBrowser(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = h.Database()
        url = cls.db.url
        cls.dir = tempfile.mkdtemp(prefix="sipas-results-")
        h.run_sipas(["agencies", "import", os.path.join(h.ROOT, "sql/demo/agencies-lang-son.csv")], url, check=True)
        h.run_sipas(["forms", "load", FORM], url, check=True)
        h.run_sipas(["survey", "create", "--id", "pub", "--form", "agency-2024-individual", "--title",
                     "Khảo sát mức độ hài lòng năm 2026", "--baseline", "79.30", "--baseline-label", "SIPAS 2023",
                     "--frame", FRAME], url, check=True)
        admin = h.run_sipas(["token", "create", "--role", "admin"], url, check=True).stdout.strip()
        # six agencies: five with many responses, one (the last) with few
        agencies = os.path.join(cls.dir, "agencies.csv")
        codes = cls.db.sql("SELECT code || ',' || id FROM agencies WHERE level = 'department' ORDER BY code LIMIT 6")
        with open(agencies, "w") as f:
            f.write(codes + "\n")
        sid = cls.db.sql("SELECT id FROM surveys WHERE code = 'pub'")
        csv_path = os.path.join(cls.dir, "responses.csv")
        subprocess.run(["/usr/bin/python3", os.path.join(h.ROOT, "bench", "upload-gen.py"), FORM, str(ROWS), sid,
                        agencies, csv_path, os.devnull], check=True)
        cls.small = codes.splitlines()[-1].split(",")[0]
        with open(csv_path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        kept, seen = [lines[0]], 0
        for line in lines[1:]:        # keep only 10 responses of the small agency
            if line.split(",")[1] == cls.small:
                seen += 1
                if seen > 10:
                    continue
            kept.append(line)
        cls.server = h.Server(url)
        r = cls.server.post("/api/v1/surveys/pub/uploads", body="\n".join(kept) + "\n", token=admin,
                            headers={"Content-Type": "text/csv"}, timeout=300)
        assert r.status == 201, r.body

    @classmethod
    def tearDownClass(cls):
        status = cls.server.stop()
        cls.db.close()
        shutil.rmtree(cls.dir, True)
        assert status == 0, cls.server.read_log()

    def test_phone(self):
        d = b.chrome(self, phone=True)
        d.get(self.server.url + "/results/pub")
        self.assertIn("404", d.title + d.find_element(By.TAG_NAME, "h1").text)
        h.run_sipas(["survey", "publish", "pub"], self.db.url, check=True)
        d.get(self.server.url + "/results/pub")
        self.assertEqual(d.find_element(By.TAG_NAME, "html").get_attribute("lang"), "vi")
        self.assertEqual(d.execute_script("return window.innerWidth"), 390)
        doc = json.loads(self.server.get("/results/pub.json").body)
        head = doc["groups"][0]["estimates"][0]
        self.assertIn(dec1(head["estimate"]) + "%", d.find_element(By.ID, "headline").text)
        self.assertIn("79,3", d.find_element(By.ID, "baseline").text)
        rows = d.find_elements(By.CSS_SELECTOR, "table.results tr[data-key]")
        shown = {g["by"]["agency"]: g for g in doc["groups"][1:] if g["n"] >= 30}
        want = sorted(shown, key=lambda c: (-shown[c]["estimates"][0]["estimate"], c))
        self.assertEqual([r.get_attribute("data-key") for r in rows], want)
        for r in rows:
            cell = r.find_element(By.CSS_SELECTOR, "td[data-col=estimate]").text
            self.assertEqual(cell, dec1(shown[r.get_attribute("data-key")]["estimates"][0]["estimate"]))
            self.assertTrue(r.find_element(By.CSS_SELECTOR, "svg.ci-bar").is_displayed())
        small = d.find_elements(By.CSS_SELECTOR, "ul.small-n li[data-key]")
        self.assertEqual([li.get_attribute("data-key") for li in small], [self.small])
        self.assertIn("10 phiếu", small[0].text)
        self.assertEqual([g["estimates"][0]["estimate"] for g in doc["groups"] if g["by"].get("agency") == self.small],
                         [None])
        width = d.execute_script("return document.documentElement.scrollWidth")
        self.assertLessEqual(width, 400)      # nothing wider than the phone: the table scrolls inside
        link = d.find_element(By.CSS_SELECTOR, "a[href='/results/pub.json']")
        self.assertTrue(link.is_displayed())
        d.set_window_size(390, max(844, d.execute_script("return document.body.scrollHeight")))
        os.makedirs(b.SHOTS, exist_ok=True)
        d.save_screenshot(os.path.join(b.SHOTS, "results-browser-phone.png"))
        h.run_sipas(["survey", "unpublish", "pub"], self.db.url, check=True)
        self.assertEqual(self.server.get("/results/pub").status, 404)


if __name__ == "__main__":
    h.main()
