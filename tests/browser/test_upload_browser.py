#!/usr/bin/env python3
"""The paper-upload page in a real browser (Debian's chromium + chromedriver, headless): a team
member logs in, uploads a file with mistakes, sees the table of errors in Vietnamese and
nothing stored, downloads the failing rows, then uploads the corrected file; and the same with
.xlsx workbooks (errors by the sheet's row). Screenshots go to build/ (not in git)."""
import glob
import os
import shutil
import sys
import tempfile
import unittest

import browser as b  # noqa: E402  (skips without a database or a browser)
from browser import h  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

FORM = os.path.join(h.ROOT, "tests", "data", "upload", "form.json")
SHOTS = b.SHOTS
HEADER = "serial,agency,gender,used,online,age,S1_1,S1_2,note\n"
BAD = HEADER + ("G-1,SNV,1,1,1;2,30,4,5,\n"
                "G-2,SNV,3,1,,30,4,5,\n"          # gender 3: out of range
                "G-3,SNV,1,0,2,30,,5,\n"           # online not asked, S1_1 required
                "G-4,SYT,1,1,,30,4,4,\n")          # another team's agency
GOOD = HEADER + "G-1,SNV,1,1,1;2,30,4,5,\nG-2,SNV,2,1,,30,4,5,Tốt\n"


class UploadBrowser(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = h.Database()
        url = cls.db.url
        h.run_sipas(["agencies", "import", os.path.join(h.ROOT, "sql/demo/agencies-lang-son.csv")], url, check=True)
        h.run_sipas(["forms", "load", FORM], url, check=True)
        h.run_sipas(["survey", "create", "--id", "giay", "--form", "upload-test", "--title", "Đợt phiếu giấy"],
                    url, check=True)
        cls.team = h.run_sipas(["token", "create", "--role", "team", "--agency", "SNV", "--name", "Tổ SNV"],
                               url, check=True).stdout.strip()
        cls.server = h.Server(url)
        cls.dir = tempfile.mkdtemp(prefix="sipas-upload-")

    @classmethod
    def tearDownClass(cls):
        status = cls.server.stop()
        cls.db.close()
        shutil.rmtree(cls.dir, True)
        assert status == 0, cls.server.read_log()

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def send(self, d, path):
        d.find_element(By.ID, "file").send_keys(path)
        d.find_element(By.ID, "send").click()
        # the page hides the last result and disables the button while it sends; the answer is
        # in once the result shows again and the button is back (not the previous result)
        WebDriverWait(d, 30).until(lambda x: x.find_element(By.ID, "result").is_displayed()
                                   and x.find_element(By.ID, "send").is_enabled(),
                                   "the upload's result on the page")
        return d.find_element(By.ID, "result").text

    def test_upload_with_mistakes(self):
        d = b.chrome(self, downloads=self.dir)
        d.get(self.server.url + "/upload/giay")
        self.assertIn("/login", d.current_url)
        d.find_element(By.ID, "token").send_keys(self.team)
        d.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        b.arrived(d, lambda url: url.endswith("/upload/giay"))
        self.assertIn("Tải lên kết quả phiếu giấy", d.page_source)

        msg = self.send(d, self.write("dot-1.csv", BAD))
        self.assertIn("4 lỗi", msg)
        rows = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
                for tr in d.find_elements(By.CSS_SELECTOR, "#errors tbody tr")]
        self.assertEqual([(r[0], r[1]) for r in rows], [("2", "gender"), ("3", "online"), ("3", "S1_1"), ("4", "agency")])
        self.assertIn("Vui lòng trả lời", rows[2][2])
        self.assertIn("SYT", rows[3][2])
        d.save_screenshot(os.path.join(SHOTS, "browser-upload-errors.png"))
        self.assertEqual(self.db.sql("SELECT count(*) FROM responses r JOIN surveys s ON s.id = r.survey_id"
                                     " WHERE s.code = 'giay'"), "0")

        # the failing rows, to fix in the spreadsheet
        link = d.find_element(By.ID, "errors-download")
        self.assertTrue(link.is_displayed())
        link.click()
        got = h.wait_for(lambda: [p for p in glob.glob(os.path.join(self.dir, "loi-*.csv"))
                                  if not p.endswith(".crdownload")], 30,
                         f"the failing rows downloaded to {self.dir} as loi-*.csv")
        with open(got[0], encoding="utf-8-sig") as f:
            lines = f.read().splitlines()
        self.assertEqual(lines[0], HEADER.strip() + ",error")
        self.assertEqual([ln.split(",")[0] for ln in lines[1:]], ["G-2", "G-3", "G-4"])

        msg = self.send(d, self.write("dot-1-sua.csv", GOOD))
        self.assertIn("Đã lưu 2 phiếu", msg)
        self.assertFalse(d.find_element(By.ID, "errors").is_displayed())
        d.save_screenshot(os.path.join(SHOTS, "browser-upload-stored.png"))
        self.assertEqual(self.db.sql("SELECT count(*) FROM responses r JOIN surveys s ON s.id = r.survey_id"
                                     " WHERE s.code = 'giay'"), "2")
        self.assertEqual(self.db.sql("SELECT file_name FROM uploads u JOIN surveys s ON s.id = u.survey_id"
                                     " WHERE s.code = 'giay'"), "dot-1-sua.csv")

    def test_upload_workbook(self):
        try:
            sys.path.insert(0, os.path.join(h.ROOT, "tests", "integration"))
            import xlsx_make
        except ImportError:
            self.skipTest("python3-openpyxl is not installed")
        head = HEADER.strip().split(",")
        bad = [head, ["W-1", "SNV", 1, 1, "1;2", 30, 4, 5, None], ["W-2", "SNV", 3, 1, None, 30, 4, 5, None]]
        good = [head, ["W-1", "SNV", 1, 1, "1;2", 30, 4, 5, None], ["W-2", "SNV", 2, 1, None, 30, 4, 5, "Tốt"]]
        paths = []
        for name, rows in (("so-1.xlsx", bad), ("so-1-sua.xlsx", good)):
            paths.append(os.path.join(self.dir, name))
            with open(paths[-1], "wb") as f:
                f.write(xlsx_make.openpyxl_workbook(rows, title="Phiếu giấy"))
        h.run_sipas(["survey", "create", "--id", "bang-tinh", "--form", "upload-test", "--title", "Đợt bảng tính"],
                    self.db.url, check=True)
        d = b.chrome(self, downloads=self.dir)
        d.get(self.server.url + "/upload/bang-tinh")
        d.find_element(By.ID, "token").send_keys(self.team)
        d.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        b.arrived(d, lambda url: url.endswith("/upload/bang-tinh"))
        self.assertIn(".xlsx", d.find_element(By.ID, "file").get_attribute("accept"))
        stored = "SELECT count(*) FROM responses r JOIN surveys s ON s.id = r.survey_id WHERE s.code = 'bang-tinh'"
        msg = self.send(d, paths[0])
        self.assertIn("1 lỗi", msg)
        rows = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
                for tr in d.find_elements(By.CSS_SELECTOR, "#errors tbody tr")]
        self.assertEqual([(r[0], r[1]) for r in rows], [("3", "gender")])     # the sheet's row 3
        self.assertEqual(self.db.sql(stored), "0")
        msg = self.send(d, paths[1])
        self.assertIn("Đã lưu 2 phiếu", msg)
        d.save_screenshot(os.path.join(SHOTS, "browser-upload-xlsx.png"))
        self.assertEqual(self.db.sql(stored), "2")
        self.assertEqual(self.db.sql("SELECT file_name FROM uploads u JOIN surveys s ON s.id = u.survey_id"
                                     " WHERE s.code = 'bang-tinh'"), "so-1-sua.xlsx")


if __name__ == "__main__":
    h.main()
