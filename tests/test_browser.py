"""End to end: `svar serve` in a subprocess, driven by headless Chromium through Selenium.

Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them). A missing browser fails
these tests with the command to install it, rather than skipping them unseen.

To refresh the README's screenshot:  SVAR_SCREENSHOT=docs/screenshot-search.png python -m pytest tests/test_browser.py
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
INSTALL = "apt-get update && apt-get install -y chromium chromium-driver"
ACCENT = "rgba(0, 95, 163, 1)"  # the stylesheet's --accent: the border of the passage a link points at
# A wide window shows the facets beside the results; the phone width is an iPhone 12–15's.
DESKTOP, PHONE = (1280, 1000), (390, 844)


class Server:
    """`svar serve --port 0` in a subprocess; its stderr is read all along so the pipe never fills."""

    def __init__(self, index_dir: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "svar.search.cli", "serve", "--index", str(index_dir), "--port", "0"],
            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        first = self.process.stderr.readline()
        match = re.match(r"svar: serving .* at (http://127\.0\.0\.1:\d+)/ \(Ctrl-C stops\)$", first.strip())
        if not match:
            self.process.kill()
            raise AssertionError(f"svar serve did not start: {first}{self.process.stderr.read()}")
        self.url = match[1]
        self.log: list[str] = []
        self._reader = threading.Thread(target=lambda: self.log.extend(self.process.stderr), daemon=True)
        self._reader.start()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self._reader.join(timeout=5)


@pytest.fixture(scope="module")
def server(seed_index_dir):
    running = Server(seed_index_dir)
    yield running
    running.stop()
    assert not [line for line in running.log if "Traceback" in line], "".join(running.log)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        pytest.fail(f"the browser tests need headless Chromium at {CHROMIUM} and its driver at {CHROMEDRIVER}; "
                    f"install them with: {INSTALL}", pytrace=False)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
                 "--window-size={},{}".format(*DESKTOP), "--lang=en"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # to see blocked resources, CSP reports
    # The driver's path is given, so Selenium Manager never goes looking for one on the network.
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.set_page_load_timeout(10)
    yield driver
    driver.quit()


@pytest.fixture
def page(browser, server):
    """The browser at the server's start page, at desktop size, with a clean console."""
    browser.set_window_size(*DESKTOP)
    browser.get(server.url + "/")
    browser.get_log("browser")
    yield browser
    # Every page must work as plain HTML and load without a console error (a blocked style, a 404…).
    assert browser.find_elements("tag name", "script") == []
    assert [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"] == []


def navigate(driver, element) -> None:
    """Click a link or button and wait for the next page: a click returns before the page it leads to
    has replaced this one, and reading the old page then makes a test fail now and then.

    The old page is marked through its window object, which a new page does not share. (Waiting for
    an element of the old page to go stale races with Chromium tearing it down.)
    """
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.wait import WebDriverWait

    driver.execute_script("window.svarLeaving = true")
    element.click()
    WebDriverWait(driver, 10, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script("return !window.svarLeaving && document.readyState === 'complete'"))


def search(driver, text: str) -> None:
    box = driver.find_element("css selector", "header input[name=q]")
    box.clear()
    box.send_keys(text)
    navigate(driver, driver.find_element("css selector", ".bar button"))


def summary(driver) -> str:
    return driver.find_element("css selector", ".summary").text


def texts(driver, selector: str) -> list[str]:
    """The text of each element, its lines joined by spaces (a facet's value and count are boxes apart)."""
    return [" ".join(element.text.split()) for element in driver.find_elements("css selector", selector)]


def click(driver, href: str) -> None:
    navigate(driver, driver.find_element("css selector", f'a[href="{href}"]'))


def test_search_shows_ranked_passages_with_marked_words(page, server):
    search(page, "familjehem")
    assert page.current_url == server.url + "/?q=familjehem"
    assert summary(page) == "3 passages match familjehem · showing 1–3"
    assert texts(page, ".hit mark") == ["familjehem", "familjehem", "familjehemsvården", "familjehemsvården"]
    assert texts(page, ".hit h2") == ["Lilla Hjärtat", "vårdinsatser för barn och unga", "Lilla Hjärtat"]
    assert texts(page, ".hit .question .label") == ["Question 1:", "Question 2:"]
    # On a wide screen the facets stand beside the results, to their left.
    facets, results = (page.find_element("css selector", s).rect for s in (".facets", ".results"))
    assert facets["x"] + facets["width"] <= results["x"] and facets["y"] == results["y"]
    assert not page.find_element("css selector", ".to-facets").is_displayed()
    screenshot = os.environ.get("SVAR_SCREENSHOT")
    if screenshot:
        page.save_screenshot(screenshot)


def test_clicking_a_facet_narrows_to_its_count_and_clicking_again_widens(page, server):
    search(page, "barn")
    assert summary(page) == "19 passages match barn · showing 1–10"
    assert texts(page, ".facet-party li") == ["M 10", "S 10", "L 9", "V 9"]
    click(page, "/?q=barn&party=V")
    assert page.current_url == server.url + "/?q=barn&party=V"
    assert summary(page) == "9 passages match barn · showing 1–9"
    assert texts(page, ".facet-party li.selected") == ["V 9 ×"]
    assert texts(page, ".facet-year li") == ["2021 5", "2022 4"]
    click(page, "/?q=barn&party=V&year=2022")
    assert summary(page) == "4 passages match barn · showing 1–4"
    assert texts(page, "ul.active li") == ["Party: V ×", "Year: 2022 ×", "clear all"]
    click(page, "/?q=barn&year=2022")  # the "Party: V ×" chip
    assert page.current_url == server.url + "/?q=barn&year=2022"
    assert summary(page) == "4 passages match barn · showing 1–4"


def test_a_hit_opens_its_answer_at_the_passage_and_leads_back(page, server):
    search(page, "familjehem")
    click(page, "/answer/KS%202020/1079?q=familjehem#p6")  # the third hit: question 2 of Lilla Hjärtat
    assert page.current_url == server.url + "/answer/KS%202020/1079?q=familjehem#p6"
    assert page.find_element("tag name", "h1").text.startswith("Svar på Interpellation av Alexandra Mattsson")
    assert [s.get_attribute("id") for s in page.find_elements("css selector", "section.passage")] == \
        [f"p{n}" for n in range(1, 9)]
    target = page.find_element("id", "p6")
    assert target.value_of_css_property("border-top-color") == ACCENT  # the :target style
    assert target.find_element("css selector", "h2").text == "Passage 6 answer to question 2"
    assert page.execute_script("return window.scrollY") > 0  # scrolled to it
    click(page, "/?q=familjehem")  # "← results for familjehem"
    assert page.current_url == server.url + "/?q=familjehem"
    assert summary(page) == "3 passages match familjehem · showing 1–3"


def test_a_shared_link_opens_the_same_search(page, server):
    shared = server.url + "/?q=barn&party=V&year=2022&kind=answer&sort=oldest&strict=1"
    page.get(shared)
    assert summary(page) == "3 passages match barn · showing 1–3 · oldest first · only the words as typed"
    assert texts(page, "ul.active li") == ["Party: V ×", "Year: 2022 ×", "Part: answer ×", "clear all"]
    page.find_element("css selector", "details.filters summary").click()  # open the form
    fields = {name: page.find_element("name", name).get_attribute("value")
              for name in ("q", "party", "year", "kind", "sort")}
    assert fields == {"q": "barn", "party": "V", "year": "2022", "kind": "answer", "sort": "oldest"}
    assert page.find_element("name", "strict").is_selected()
    # The form as it stands submits the same search, at the same address.
    navigate(page, page.find_element("css selector", ".fields button"))
    assert page.current_url == shared
    assert summary(page) == "3 passages match barn · showing 1–3 · oldest first · only the words as typed"


def test_an_injected_script_is_shown_as_text_and_never_runs(page, server):
    from selenium.common.exceptions import NoAlertPresentException

    attack = "<script>alert(1)</script>"
    search(page, attack)
    assert page.current_url == server.url + "/?q=%3Cscript%3Ealert(1)%3C/script%3E"
    with pytest.raises(NoAlertPresentException):
        page.switch_to.alert.text
    assert page.title == f"{attack} – svar"
    assert page.find_element("name", "q").get_attribute("value") == attack
    assert page.find_element("css selector", ".summary q").text == attack


def test_on_a_phone_nothing_is_wider_than_the_screen(page, server):
    page.set_window_size(*PHONE)
    page.get(server.url + "/?q=barn&party=V")
    width = page.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1]
    # The facets come after the results, as rows of chips rather than a tall column.
    facets, results = (page.find_element("css selector", s).rect for s in (".facets", ".results"))
    assert facets["y"] > results["y"]
    assert page.find_element("css selector", ".to-facets").is_displayed()  # "Narrow by … ↓"
    assert page.find_element("css selector", ".facet ul").value_of_css_property("display") == "flex"


def test_a_bar_of_the_years_histogram_narrows_to_its_year_and_its_count(page, server):
    search(page, "barn")
    links = page.find_elements("css selector", ".histogram a")
    # The text equivalent: each bar's link is named by its year and count, and so is its tooltip.
    names = ["2021: 5 passages", "2022: 4 passages", "2025: 2 passages", "2026: 8 passages"]
    assert [link.get_attribute("aria-label") for link in links] == names
    assert [link.find_element("css selector", "title").get_attribute("textContent") for link in links] == names
    assert page.find_element("css selector", ".histogram figcaption").text == "Matching passages per year, 2021–2026"
    # Drawn, in the stylesheet's colours: the tallest bar has the fixed height, counts are written over the bars.
    bars = page.find_elements("css selector", ".histogram .bar")
    assert all(bar.is_displayed() for bar in bars)
    assert [round(bar.rect["height"]) for bar in bars] == [45, 36, 18, 72]
    assert bars[0].value_of_css_property("fill") == ACCENT.replace("rgba", "rgb").replace(", 1)", ")")
    assert texts(page, ".histogram .count") == ["5", "4", "2", "8"]
    navigate(page, links[3])
    assert page.current_url == server.url + "/?q=barn&year=2026"
    assert page.find_element("css selector", ".summary strong").text == "8"  # the bar's count
    assert [chip.split(": ")[1] for chip in texts(page, "ul.active li")] == ["2026 ×"]  # the year filter
    assert page.find_elements("css selector", ".histogram") == []  # one year left: no bars to compare


def test_with_one_result_per_answer_a_bar_counts_answers(page, server):
    page.get(server.url + "/?q=insatser&group=1")
    links = page.find_elements("css selector", ".histogram a")
    assert [link.get_attribute("aria-label") for link in links] == ["2021: 1 answer", "2022: 1 answer",
                                                                    "2026: 1 answer"]
    navigate(page, links[1])
    assert page.current_url == server.url + "/?q=insatser&year=2022&group=1"
    assert page.find_element("css selector", ".summary strong").text == "1"
    assert summary(page).startswith("1 answer ")
    assert [chip.split(": ")[1] for chip in texts(page, "ul.active li")] == ["2022 ×"]
