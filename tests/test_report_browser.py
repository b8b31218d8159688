"""The HTML report in a real headless browser (Debian's chromium + chromedriver).

`.ci/run` installs them; on a machine without them the test is skipped, except under CI
(CI=true), where a missing browser is a failure.
"""

import os
import shutil

import pytest

from fipeval.cli import main

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.fixture(scope="module")
def browser():
    if not (CHROMIUM and CHROMEDRIVER):
        if os.environ.get("CI") == "true":
            pytest.fail("chromium and chromedriver must be installed in CI (.ci/run does it)")
        pytest.skip("chromium/chromedriver not installed")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # an explicit driver path: selenium must not try to download one
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def test_report_renders_with_every_image_and_no_console_errors(browser, tmp_path):
    assert main(["report", "--demo", "--out", str(tmp_path), "--quiet"]) == 0
    browser.get((tmp_path / "report.html").as_uri())
    assert "FIP evaluation" in browser.title
    images = browser.execute_script(
        "return Array.from(document.images).map(i => [i.complete, i.naturalWidth]);")
    assert images, "the report has no figures"
    assert all(done and width > 0 for done, width in images), images
    sections = browser.execute_script("return document.querySelectorAll('section').length;")
    assert sections >= 5
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    browser.save_screenshot(str(tmp_path / "report.png"))


def test_hostile_names_run_no_script(browser, hostile_report):
    """A municipality, caseworker and study named as HTML injections (tests/conftest.py):
    the browser shows them as text and runs none of them."""
    browser.get((hostile_report / "report.html").as_uri())
    assert browser.execute_script("return window.pwned === undefined;")
    assert browser.execute_script("return document.scripts.length;") == 0
    text = browser.execute_script("return document.body.innerText;")
    assert "<script>window.pwned=1</script>" in text


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("scenario", ["brabantse_wal", "three_municipalities"])
def test_the_report_fits_a_1280_pixel_screen_in_its_language(browser, tmp_path, scenario,
                                                            language):
    """The first page without a scroll bar, no page overflow, every figure drawn within the
    page (a screenshot of each at report size), and in Dutch no English word of the catalog."""
    import re
    from pathlib import Path

    from fipeval.report.catalog_nl import CATALOG
    from fipeval.report.first_page import TEXT

    folder = Path(__file__).resolve().parents[1] / "data" / "synthetic" / scenario
    assert main(["report", str(folder), "--config", str(folder / "study.toml"), "--key",
                 str(folder / "pseudonym.key"), "--out", str(tmp_path), "--lang", language,
                 "--quiet"]) == 0
    browser.set_window_size(1280, 900)
    browser.get((tmp_path / "report.html").as_uri())
    assert browser.execute_script("return document.documentElement.lang;") == language
    first = "document.querySelectorAll('section')[0]"
    title = browser.execute_script(f"return {first}.querySelector('h2').innerText;")
    assert title == {"en": "The answer in brief", "nl": "Het antwoord in het kort"}[language]
    # the first page's table shows every column without a horizontal scrollbar
    overflow = browser.execute_script(
        f"const t = {first}.querySelector('table'); return [t.scrollWidth, t.clientWidth];")
    assert overflow[0] <= overflow[1], overflow
    page = browser.execute_script("return [document.documentElement.scrollWidth, "
                                  "document.documentElement.clientWidth];")
    assert page[0] <= page[1], page
    browser.save_screenshot(str(tmp_path / "first_page.png"))
    figures = browser.find_elements("css selector", "figure")
    assert len(figures) >= 5
    for i, figure in enumerate(figures):
        drawn = browser.execute_script(
            "const i = arguments[0].querySelector('img'); return [i.complete, i.naturalWidth, "
            "i.getBoundingClientRect().right];", figure)
        assert drawn[0] and drawn[1] > 0 and drawn[2] <= 1280, (i, drawn)
        figure.screenshot(str(tmp_path / f"figure_{i}.png"))
    if language == "nl":
        text = browser.execute_script(
            "return Array.from(document.querySelectorAll('section:not(#settings)'))"
            ".map(s => s.innerText).join(' ');")
        words = lambda texts: {w.lower() for t in texts for w in re.findall(r"[A-Za-z]{4,}", t)}  # noqa: E731
        files = words(p.name for p in folder.iterdir())   # truth.csv is named in a note
        english_only = (words(CATALOG) - words(CATALOG.values()) - words(TEXT["nl"].values())
                        - files)
        assert sorted(words([text]) & english_only) == []


def test_report_pdf_is_printed_on_a4_by_the_browser(browser, tmp_path):
    """``report --pdf``: the HTML printed by headless Chromium through the print stylesheet."""
    import re

    assert main(["report", "--demo", "--out", str(tmp_path), "--pdf", "--quiet"]) == 0
    pdf = (tmp_path / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")
    pages = re.findall(rb"/Type\s*/Page[^s]", pdf)
    boxes = {tuple(round(float(x)) for x in box.split()) for box in
             re.findall(rb"/MediaBox\s*\[([^\]]*)\]", pdf)}
    assert len(pages) >= 5 and boxes == {(0, 0, 595, 842)}   # A4 in points
