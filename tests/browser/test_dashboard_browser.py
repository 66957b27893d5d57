#!/usr/bin/env python3
"""The analysts' dashboard in a real browser (Debian's chromium + chromedriver, headless): an
analyst logs in with a token at /login, lands on the dashboard of a demo round with responses,
and the ranking chart (inline SVG) and its table show the same numbers for every agency; the
same on a phone-sized window; logging out returns to /login. A second round of the same form
(issue 13): its page compares every agency with the previous round (the numbers and the
significance of the compare API), the ranking chart names agencies by their names, and an
agency's page shows its trend over both rounds as a chart and a table with the estimates API's
numbers. Screenshots go to build/ (not in git)."""
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


def one(v):
    """A number as the dashboard writes it: one decimal, decimal comma."""
    s = f"{v:.1f}"
    return "0,0" if s == "-0.0" else s.replace(".", ",")


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
        # a later round of the same form, for the comparison and the trend
        h.run_sipas(["survey", "create", "--id", "demo2", "--form", "agency-2024-individual", "--title",
                     "Khảo sát mức độ hài lòng năm 2027 (thử nghiệm)", "--baseline", "79.30",
                     "--baseline-label", "SIPAS 2023", "--frame", FRAME], url, check=True)
        sid2 = cls.db.sql("SELECT id FROM surveys WHERE code = 'demo2'")
        csv2 = os.path.join(cls.dir, "responses2.csv")
        subprocess.run(["/usr/bin/python3", os.path.join(h.ROOT, "bench", "upload-gen.py"), FORM, str(ROWS), sid2,
                        agencies, csv2, os.devnull, "7"], check=True)
        with open(csv2, "rb") as f:
            r = cls.server.post("/api/v1/surveys/demo2/uploads", body=f.read(), token=admin,
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
        agencies = self.db.sql("SELECT count(DISTINCT agency_id) FROM responses r JOIN surveys s ON s.id = r.survey_id"
                               " WHERE s.code = 'demo'").strip()
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

    def api(self, path):
        r = self.server.get(path, token=self.analyst)
        self.assertEqual(r.status, 200, r.body)
        return r.json()

    def test_rounds(self):
        d = b.chrome(self, size="1280,1000")
        self.login(d)
        # the first round has no earlier one
        self.assertTrue(d.find_elements(By.ID, "no-other-round"))
        d.get(self.server.url + "/dashboard/demo2")
        # the ranking chart names agencies by their names
        names = {a["code"]: a["name"] for a in self.api("/api/v1/agencies")["agencies"]}
        marks = d.find_elements(By.CSS_SELECTOR, "svg.chart g.mark")
        self.assertGreater(len(marks), 5)
        for m in marks:
            label = m.find_element(By.CSS_SELECTOR, "text").get_attribute("textContent")
            self.assertEqual(label.removesuffix(" *"), names[m.get_attribute("data-key")])
        # this round against the previous one (the default), as the compare API gives it
        self.assertEqual(d.find_element(By.ID, "against-round").get_attribute("data-code"), "demo")
        api = self.api("/api/v1/surveys/demo2/compare?against=demo&by=agency&lonely_psu=adjust")
        want = {g["by"].get("agency", ""): g["comparisons"][0] for g in api["groups"]}
        rows = d.find_elements(By.CSS_SELECTOR, "#rounds-table tr[data-agency]")
        got = {r.get_attribute("data-agency"): r for r in rows}
        self.assertEqual(list(got), list(want))
        for key, r in got.items():
            c = want[key]
            cells = [r.find_element(By.CSS_SELECTOR, f"td[data-col={k}]").text for k in ("estimate", "against", "diff")]
            diff = one(c["diff"])
            self.assertEqual(cells, [one(c["estimate"]), one(c["against"]),
                                     ("+" + diff) if c["diff"] > 0 and diff != "0,0" else diff], key)
            self.assertEqual(r.get_attribute("data-significant"), "1" if c["p_value"] < 0.05 else "0", key)
        # the section itself, not the whole page: a 10,000-pixel capture can outlast the renderer's
        # 10 s on a busy machine
        d.execute_script("document.getElementById('so-dot').scrollIntoView()")
        d.save_screenshot(os.path.join(SHOTS, "dashboard-rounds.png"))
        # choosing the round in the form gives the same page
        d.find_element(By.CSS_SELECTOR, "form.against button[type=submit]").click()
        b.arrived(d, lambda url: "against=demo" in url)
        self.assertEqual(len(d.find_elements(By.CSS_SELECTOR, "#rounds-table tr[data-agency]")), len(want))
        # an agency's trend over both rounds: chart and table, with the estimates API's numbers
        code = next(k for k in want if k)
        d.get(self.server.url + f"/dashboard/demo2/agency/{code}")
        marks = d.find_elements(By.CSS_SELECTOR, "svg.trend g.mark")
        self.assertEqual([m.get_attribute("data-key") for m in marks], ["demo", "demo2"])
        for m in marks:
            est = next(g for g in self.api(f"/api/v1/surveys/{m.get_attribute('data-key')}/estimates"
                                           "?by=agency&lonely_psu=adjust")["groups"]
                       if g["by"].get("agency") == code)["estimates"][0]
            want_cells = (one(est["estimate"]), one(est["ci_low"]), one(est["ci_high"]))
            self.assertEqual((m.get_attribute("data-estimate"), m.get_attribute("data-low"),
                              m.get_attribute("data-high")), want_cells)
            row = d.find_element(By.CSS_SELECTOR, f"#trend-table tr[data-key='{m.get_attribute('data-key')}']")
            self.assertEqual(tuple(row.find_element(By.CSS_SELECTOR, f"td[data-col={c}]").text
                                   for c in ("estimate", "low", "high")), want_cells)
        svg = d.find_element(By.CSS_SELECTOR, "svg.trend")
        self.assertGreater(svg.size["width"], 200)
        d.execute_script("document.getElementById('dien-bien').scrollIntoView()")
        d.save_screenshot(os.path.join(SHOTS, "dashboard-trend.png"))

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
