"""browser.py - what the browser tests share: Debian's chromium and chromedriver, headless,
with a fresh profile per window and the flags this closed network needs. Importing it skips
the test (exit 77) when the database or the browser is missing."""
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "integration"))
import harness as h  # noqa: E402

h.require_db()
CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
if not CHROMIUM or not DRIVER:
    print("skipped: chromium or chromedriver is not installed")
    sys.exit(77)
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402

SHOTS = os.path.join(h.ROOT, "build")   # screenshots: kept out of git


def arrived(d, where, timeout=30):
    """Waits (WebDriverWait) until the window's URL satisfies where(url) and that page has
    finished loading: a click that navigates returns before the next page is there, and the
    URL changes before its document is complete."""
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(d, timeout).until(
        lambda x: where(x.current_url) and x.execute_script("return document.readyState") == "complete",
        f"a loaded page whose URL satisfies {getattr(where, '__doc__', None) or where}; at {d.current_url}")


def chrome(test, size="1200,900", javascript=True, phone=False, downloads=None):
    """A headless Chromium window for a unittest.TestCase, closed and removed at its cleanup.
    phone emulates a 390x844 touch screen; downloads names a folder for downloaded files."""
    profile = tempfile.mkdtemp(prefix="sipas-chromium-")
    test.addCleanup(shutil.rmtree, profile, True)
    o = webdriver.ChromeOptions()
    o.binary_location = CHROMIUM
    for a in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              f"--window-size={'390,844' if phone else size}", f"--user-data-dir={profile}", "--lang=vi"):
        o.add_argument(a)
    if not javascript:
        o.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    d = webdriver.Chrome(service=Service(DRIVER), options=o)
    test.addCleanup(d.quit)
    d.set_page_load_timeout(60)
    if phone:
        d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                          {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
    if downloads:
        d.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
    return d
