#!/usr/bin/env python3
"""The invitation letters in a real browser (Debian's chromium + chromedriver, headless): an
admin logs in at /login and opens /admin/{survey}/letters; each letter shows the agency, the
survey's title and the code, printing gives one A4 page a letter (Chromium's own PDF), and the
QR code of every letter, as Chromium draws it on the screen, decodes (zbarimg, zbar-tools)
to the letter's personal URL. Screenshots go to build/ (not in git)."""
import base64
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import browser as b  # noqa: E402  (skips without a database or a browser)
from browser import h  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

FORM = os.path.join(h.ROOT, "tests", "data", "forms", "valid", "all-types", "form.json")
BASE = "https://khaosat.langson.gov.vn"
SHOTS = b.SHOTS


class LettersBrowser(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = h.Database()
        url = cls.db.url
        cls.dir = tempfile.mkdtemp(prefix="sipas-letters-")
        h.run_sipas(["agencies", "import", os.path.join(h.ROOT, "sql/demo/agencies-lang-son.csv")], url, check=True)
        h.run_sipas(["forms", "load", FORM], url, check=True)
        h.run_sipas(["survey", "create", "--id", "thu-moi", "--form", "all-types.v2", "--title",
                     "Khảo sát sự hài lòng năm 2026", "--access", "invite"], url, check=True)
        cls.admin = h.run_sipas(["token", "create", "--role", "admin"], url, check=True).stdout.strip()
        registry = os.path.join(cls.dir, "registry.csv")
        with open(registry, "w", encoding="utf-8") as f:
            f.write("dossier,agency,procedure,completed_at,name,phone,email,address\n")
            for i in range(4):
                f.write(f"H{i},SYT,Cấp phép,2026-03-0{i + 1},Hoàng Thị Lan {i},091200000{i},,"
                        f"\"Số {i} đường Bà Triệu, Lạng Sơn\"\n")
        h.run_sipas(["sample", "draw", "--survey", "thu-moi", "--registry", registry, "--seed", "1"], url, check=True)
        cls.server = h.Server(url)

    @classmethod
    def tearDownClass(cls):
        status = cls.server.stop()
        cls.db.close()
        shutil.rmtree(cls.dir, True)
        assert status == 0, cls.server.read_log()

    def test_letters(self):
        if not shutil.which("zbarimg"):
            self.skipTest("zbarimg (zbar-tools) is not installed")
        d = b.chrome(self, size="1000,1400")
        d.get(self.server.url + "/login")
        d.find_element(By.ID, "token").send_keys(self.admin)
        d.find_element(By.CSS_SELECTOR, "form[action='/login'] button[type=submit]").click()
        WebDriverWait(d, 30).until(lambda x: "/login" not in x.current_url)
        d.get(self.server.url + f"/admin/thu-moi/letters?agency=SYT&base_url={BASE}")
        b.arrived(d, lambda url: "/letters" in url)
        self.assertEqual(d.find_element(By.TAG_NAME, "html").get_attribute("lang"), "vi")
        letters = d.find_elements(By.CSS_SELECTOR, "section.letter")
        self.assertEqual(len(letters), 4)
        os.makedirs(SHOTS, exist_ok=True)
        d.set_window_size(1000, max(1400, d.execute_script("return document.body.scrollHeight")))
        d.save_screenshot(os.path.join(SHOTS, "letters-browser.png"))
        seen = set()
        for i, letter in enumerate(letters):
            text = letter.text
            self.assertIn("Sở Y tế", text)
            self.assertIn("Khảo sát sự hài lòng năm 2026", text)
            code = letter.find_element(By.CSS_SELECTOR, ".code").text
            self.assertRegex(code, r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")
            url = letter.find_element(By.CSS_SELECTOR, ".url").text
            self.assertEqual(url, f"{BASE}/s/thu-moi?invite={code}")
            qr = letter.find_element(By.CSS_SELECTOR, "svg.qr")
            self.assertGreater(qr.size["width"], 100)
            png = os.path.join(SHOTS, f"letters-browser-qr-{i}.png")
            with open(png, "wb") as f:
                f.write(qr.screenshot_as_png)
            out = subprocess.run(["zbarimg", "-q", "--raw", png], capture_output=True, text=True, timeout=60)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertEqual(out.stdout.strip(), url)
            seen.add(code)
        self.assertEqual(len(seen), 4)
        # printed: one A4 page a letter
        pdf = base64.b64decode(d.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True})["data"])
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        self.assertEqual(pages, 4)
        box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", pdf)
        self.assertAlmostEqual(float(box.group(1)), 595.0, delta=2)      # A4: 210 mm = 595 pt
        self.assertAlmostEqual(float(box.group(2)), 842.0, delta=2)      # 297 mm = 842 pt


if __name__ == "__main__":
    h.main()
