#!/usr/bin/env python3
"""The analysts' dashboard in a real browser (Debian's chromium + chromedriver, headless): an
analyst logs in with a token at /login, lands on the dashboard of a demo round with responses,
and the ranking chart (inline SVG) and its table show the same numbers for every agency; the
same on a phone-sized window; logging out returns to /login. Screenshots go to build/ (not in
git)."""
import os
import shutil
import subprocess
import tempfile
import unittest

import browser as b  # noqa: E402  (skips without a database or a browser)
from browser import h  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

FORM = os.path.join(h.ROOT, "survey-forms", "agency-2024-individual.json")
FRAME = os.path.join(h.ROOT, "sql", "demo", "frame-demo.csv")
SHOTS = b.SHOTS
ROWS = 1500


class DashboardBrowser(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = h.Database()
        url = cls.db.url
        cls.dir = tempfile.mkdtemp(prefix="sipas-dash-")
        h.run_sipas(["agencies", "import", os.path.join(h.ROOT, "sql/demo/agencies-lang-son.csv")], url, check=True)
        h.run_sipas(["forms", "load", FORM], url, check=True)
        h.run_sipas(["survey", "create", "--id", "demo", "--form", "agency-2024-individual", "--title",
                     "Khảo sát mức độ hài lòng năm 2026 (thử nghiệm)", "--baseline", "79.30",
                     "--baseline-label", "SIPAS 2023", "--frame", FRAME], url, check=True)
        admin = h.run_sipas(["token", "create", "--role", "admin"], url, check=True).stdout.strip()
        cls.analyst = h.run_sipas(["token", "create", "--role", "analyst", "--name", "Cán bộ phân tích"],
                                  url, check=True).stdout.strip()
        # responses of the demo form from the benchmark's generator (valid by construction)
        agencies = os.path.join(cls.dir, "agencies.csv")
        with open(agencies, "w") as f:
            f.write(cls.db.sql("SELECT code || ',' || id FROM agencies WHERE level <> 'province' ORDER BY code") + "\n")
        sid = cls.db.sql("SELECT id FROM surveys WHERE code = 'demo'")
        csv_path = os.path.join(cls.dir, "responses.csv")
        subprocess.run(["/usr/bin/python3", os.path.join(h.ROOT, "bench", "upload-gen.py"), FORM, str(ROWS), sid,
                        agencies, csv_path, os.devnull], check=True)
        cls.server = h.Server(url)
        with open(csv_path, "rb") as f:
            r = cls.server.post("/api/v1/surveys/demo/uploads", body=f.read(), token=admin,
                                headers={"Content-Type": "text/csv"}, timeout=300)
        assert r.status == 201, r.body

    @classmethod
    def tearDownClass(cls):
        status = cls.server.stop()
        cls.db.close()
        shutil.rmtree(cls.dir, True)
        assert status == 0, cls.server.read_log()

    def login(self, d):
        d.get(self.server.url + "/dashboard/demo")
        WebDriverWait(d, 20).until(lambda d: "/login" in d.current_url)
        d.find_element(By.ID, "token").send_keys(self.analyst)
        d.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]").click()
        b.arrived(d, lambda url: url.endswith("/dashboard/demo"))

    def check_chart_and_table(self, d):
        marks = d.find_elements(By.CSS_SELECTOR, "svg.chart g.mark")
        rows = d.find_elements(By.CSS_SELECTOR, "table tr[data-key]")
        chart = {m.get_attribute("data-key"): (m.get_attribute("data-estimate"), m.get_attribute("data-low"),
                                               m.get_attribute("data-high")) for m in marks}
        agencies = self.db.sql("SELECT count(DISTINCT agency_id) FROM responses").strip()
        self.assertEqual(len(chart), int(agencies))
        table = {}
        for r in rows:
            key = r.get_attribute("data-key")
            if key not in chart:
                continue          # the elements' table
            table[key] = tuple(r.find_element(By.CSS_SELECTOR, f"td[data-col={c}]").text
                               for c in ("estimate", "low", "high"))
        self.assertEqual(chart, table)
        # the chart's order is the table's ranking
        self.assertEqual([m.get_attribute("data-key") for m in marks],
                         [r.get_attribute("data-key") for r in rows if r.get_attribute("data-key") in chart])
        # the headline and the baseline are shown; the chart is drawn (non-zero size)
        self.assertIn("79,3", d.find_element(By.ID, "baseline").text)
        svg = d.find_element(By.CSS_SELECTOR, "svg.chart")
        self.assertGreater(svg.size["width"], 200)
        self.assertGreater(svg.size["height"], 200)
        self.assertTrue(d.find_elements(By.CSS_SELECTOR, "svg.chart line.baseline"))
        return chart

    def test_dashboard(self):
        d = b.chrome(self, size="1280,1000")
        self.login(d)
        self.assertEqual(d.find_element(By.TAG_NAME, "html").get_attribute("lang"), "vi")
        chart = self.check_chart_and_table(d)
        os.makedirs(SHOTS, exist_ok=True)
        d.set_window_size(1280, max(1000, d.execute_script("return document.body.scrollHeight")))
        d.save_screenshot(os.path.join(SHOTS, "dashboard-browser.png"))
        # one agency's page: elements and criteria
        first = next(iter(chart))
        d.get(self.server.url + f"/dashboard/demo/agency/{first}")
        self.assertTrue(d.find_elements(By.CSS_SELECTOR, "svg.chart g.mark"))
        self.assertIn("Tiếp cận dịch vụ", d.page_source)
        # logout: POST /logout with the session's CSRF secret, back to /login
        d.get(self.server.url + "/dashboard/demo")
        d.find_element(By.CSS_SELECTOR, "form[action='/logout'] button").click()
        b.arrived(d, lambda url: "/login" in url)
        d.get(self.server.url + "/dashboard/demo")
        WebDriverWait(d, 20).until(lambda d: "/login" in d.current_url)

    def test_phone(self):
        d = b.chrome(self, phone=True)
        self.login(d)
        self.assertEqual(d.execute_script("return window.innerWidth"), 390)
        self.check_chart_and_table(d)
        width = d.execute_script("return document.documentElement.scrollWidth")
        self.assertLessEqual(width, 400)      # nothing wider than the phone: tables scroll inside
        d.save_screenshot(os.path.join(SHOTS, "dashboard-browser-phone.png"))


if __name__ == "__main__":
    h.main()
