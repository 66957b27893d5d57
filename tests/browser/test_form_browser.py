#!/usr/bin/env python3
"""The citizens' web form in a real browser (Debian's chromium + chromedriver, headless) at a
phone's viewport (390x844): fill `agency-2024-individual`, submit, find the response in
PostgreSQL; once with JavaScript (show_if hides questions, progress shows, the draft survives
a reload) and once without. Screenshots go to build/ (not in git)."""
import json
import os
import unittest

import browser as b  # noqa: E402  (skips without a database or a browser)
from browser import h  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

SHIPPED = os.path.join(h.ROOT, "survey-forms", "agency-2024-individual.json")
FORM = SHIPPED if os.path.exists(SHIPPED) else os.path.join(h.ROOT, "tests", "data", "forms", "valid",
                                                              "contract-example", "form.json")
SHOTS = b.SHOTS


def plan(form):
    """The answers a respondent gives: {qid: code or [codes] or text}, honouring show_if."""
    out = {}
    for sec in form["sections"]:
        for q in sec["questions"]:
            cond = q.get("show_if")
            if cond:
                got = out.get(cond["question"])
                got = got if isinstance(got, list) else [got]
                if not any(c in cond["in"] for c in got):
                    continue
            t = q["type"]
            if t == "scale":
                sc = form["scales"][q["scale"]]
                out[q["id"]] = (sc.get("positive") or sc["codes"])[0]
            elif t == "single":
                out[q["id"]] = q["options"][0]["code"]
            elif t == "multi":
                out[q["id"]] = [o["code"] for o in q["options"][:2]]
            elif t == "number":
                out[q["id"]] = int(q.get("min", 30))
            elif q.get("required"):
                out[q["id"]] = "Rất hài lòng với cách phục vụ."
    return out


def hidden_questions(form, answers):
    return [q["id"] for sec in form["sections"] for q in sec["questions"]
            if q.get("show_if") and q["id"] not in answers]


class Browser(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(FORM, encoding="utf-8") as f:
            cls.form = json.load(f)
        cls.db = h.Database()
        h.run_sipas(["agencies", "import", os.path.join(h.ROOT, "sql/demo/agencies-lang-son.csv")], cls.db.url, check=True)
        h.run_sipas(["forms", "load", FORM], cls.db.url, check=True)
        h.run_sipas(["survey", "create", "--id", "browser", "--form", cls.form["id"], "--title",
                     "Khảo sát mức độ hài lòng (thử trên trình duyệt)"], cls.db.url, check=True)
        cls.server = h.Server(cls.db.url)

    @classmethod
    def tearDownClass(cls):
        status = cls.server.stop()
        cls.db.close()
        assert status == 0, cls.server.read_log()

    def click_choice(self, d, qid, code):
        el = d.find_element(By.CSS_SELECTOR, f'input[name="{qid}"][value="{code}"]')
        label = el.find_element(By.XPATH, "./ancestor::label")
        d.execute_script("arguments[0].scrollIntoView({block: 'center'})", label)
        label.click()
        self.assertTrue(el.is_selected(), qid)

    def fill(self, d, answers):
        Select(d.find_element(By.NAME, "_agency")).select_by_value("SNV")
        qs = {q["id"]: q for sec in self.form["sections"] for q in sec["questions"]}
        for qid, a in answers.items():
            t = qs[qid]["type"]
            if t in ("scale", "single"):
                self.click_choice(d, qid, a)
            elif t == "multi":
                for c in a:
                    self.click_choice(d, qid, c)
            else:
                el = d.find_element(By.NAME, qid)
                d.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
                el.send_keys(str(a))

    def submit_and_check(self, d, answers, shot):
        d.save_screenshot(os.path.join(SHOTS, shot + "-filled.png"))
        button = d.find_element(By.CSS_SELECTOR, "button[type=submit]")
        d.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
        button.click()
        b.arrived(d, lambda url: url.endswith("/s/browser/thanks"))
        self.assertIn("Cảm ơn", d.page_source)
        d.save_screenshot(os.path.join(SHOTS, shot + "-thanks.png"))
        rows = self.db.sql("SELECT sipas_answers(r), a.code, r.channel FROM responses r JOIN agencies a"
                           " ON a.id = r.agency_id ORDER BY r.id DESC LIMIT 1")
        stored, agency, channel = rows.rsplit("|", 2)
        self.assertEqual((agency, channel), ("SNV", "web"))
        want = {k: (sorted(v) if isinstance(v, list) else v) for k, v in answers.items()}
        self.assertEqual(json.loads(stored), want)

    def test_with_javascript(self):
        d = b.chrome(self, phone=True)
        d.get(self.server.url + "/s/browser")
        self.assertEqual(d.execute_script("return window.innerWidth"), 390)
        WebDriverWait(d, 10).until(lambda x: x.find_elements(By.CSS_SELECTOR, ".bar progress"))
        answers = plan(self.form)
        # before answering, conditional questions are hidden
        for qid in hidden_questions(self.form, {}):
            WebDriverWait(d, 10).until(EC.invisibility_of_element_located((By.ID, "q-" + qid)), f"{qid} hidden")
        self.fill(d, answers)
        for qid in hidden_questions(self.form, answers):
            WebDriverWait(d, 10).until(EC.invisibility_of_element_located((By.ID, "q-" + qid)), f"{qid} hidden")
        WebDriverWait(d, 10).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, ".bar span"), "Đã trả lời"),
                                   "the progress counts the answers")
        # the draft survives a reload
        d.get(self.server.url + "/s/browser")
        first = next(iter(k for k, v in answers.items() if not isinstance(v, (list, str))), None)
        if first:
            WebDriverWait(d, 10).until(EC.element_located_to_be_selected(
                (By.CSS_SELECTOR, f'input[name="{first}"][value="{answers[first]}"]')), f"the draft's answer to {first}")
        before = int(self.db.sql("SELECT count(*) FROM responses"))
        self.submit_and_check(d, answers, "browser-form-js")
        self.assertEqual(int(self.db.sql("SELECT count(*) FROM responses")), before + 1)
        # the draft is gone after sending (removed as the form was sent: nothing to wait for, but a
        # fresh form must not bring it back either)
        d.get(self.server.url + "/s/browser")
        WebDriverWait(d, 10).until(lambda x: x.find_elements(By.CSS_SELECTOR, ".bar progress"), "the form's script ran")
        self.assertIsNone(d.execute_script("return localStorage.getItem('sipas-draft:browser')"))

    def test_without_javascript(self):
        d = b.chrome(self, phone=True, javascript=False)
        d.get(self.server.url + "/s/browser")
        self.assertEqual(d.find_elements(By.CSS_SELECTOR, ".bar"), [])   # the script did not run
        answers = plan(self.form)
        self.fill(d, answers)
        self.submit_and_check(d, answers, "browser-form-nojs")


if __name__ == "__main__":
    h.main()
