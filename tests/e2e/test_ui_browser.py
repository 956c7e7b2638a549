"""The web UI in a real browser: `idgraph serve` on loopback, headless Chromium driven by Selenium. A user enters a
bad key, then a good one, searches an organisation, sees its buying committee and account graph, opens a person.

Skipped where Chromium and its driver are not installed (Debian: `apt-get install chromium chromium-driver`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.security.keys import create_key
from api.security.scopes import Scope
from graph import open_store

from .real_server import serving
from .test_ui import EXPORT_DAY, demo_store, ui_queries

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()), reason="needs /usr/bin/chromium and /usr/bin/chromedriver"
)
WAIT = 30  # seconds: the slowest step (the first queries on a cold server) on a loaded machine


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    """(base URL, key with profiles:read and pii:read, key with profiles:read) of a real server over demo data."""
    ui_store_url = demo_store(tmp_path)
    store = open_store(ui_store_url)
    try:
        key = create_key(store, "browser test", frozenset({Scope.PROFILES_READ, Scope.PII_READ}))
        masked_key = create_key(store, "browser test, no PII", frozenset({Scope.PROFILES_READ}))
    finally:
        store.close()
    with serving(ui_store_url, tmp_path) as base:
        yield base, key, masked_key


@pytest.fixture
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium Manager must never download a browser or driver
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,1000",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def committee_organization(base: str, key: str) -> tuple[str, str]:
    """(ID, name) of the organisation with the largest buying committee, found with the UI's own queries."""
    headers = {"Authorization": f"Bearer {key}"}
    queries = ui_queries()

    def data(name: str, **variables: Any) -> dict[str, Any]:
        body = httpx.post(f"{base}/graphql", json={"query": queries[name], "variables": variables}, headers=headers)
        result: dict[str, Any] = body.json()["data"]
        return result

    best: tuple[int, str, str] = (-1, "", "")
    for edge in data("SEARCH_ORGANIZATIONS", first=100)["organizations"]["edges"]:
        org = edge["node"]
        members = data("BUYING_COMMITTEE", id=org["id"], asOf=EXPORT_DAY)["organization"]["buyingCommittee"]["members"]
        if org["name"]:
            best = max(best, (len(members), org["id"], org["name"]))
    assert best[0] > 0
    return best[1], best[2]


def test_a_sales_user_browses_an_account_graph(served: tuple[str, str, str], browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    base, key, masked_key = served
    org_id, org_name = committee_organization(base, key)
    wait = WebDriverWait(browser, WAIT)

    def text_in(selector: str, text: str) -> None:
        wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, selector), text))

    def use_key(value: str) -> None:
        field = browser.find_element(By.ID, "api-key")
        field.clear()
        field.send_keys(value)
        browser.find_element(By.ID, "key-save").click()

    browser.get(f"{base}/ui")
    text_in("#search-results", "Enter an API key")
    use_key("idg_not_a_key")
    text_in("#search-results", "refused this key")
    use_key(key)
    text_in("#search-results", "organisation")

    search = browser.find_element(By.ID, "org-search")
    search.clear()
    search.send_keys(org_name)
    browser.find_element(By.ID, "org-search-go").click()
    wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, f'#search-results a[href="#/org/{org_id}"]'))).click()

    wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), org_name))
    rows = wait.until(ec.presence_of_all_elements_located((By.CSS_SELECTOR, "table.committee-members tbody tr")))
    committee = browser.find_element(By.ID, "committee").text
    assert rows and "completeness" in committee and "missing roles" in committee and "gone quiet" in committee
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "svg.account-graph .node")))
    graph = browser.find_element(By.CSS_SELECTOR, "svg.account-graph")
    assert graph.find_elements(By.CSS_SELECTOR, f'.node.root[data-id="{org_id}"]')
    assert graph.find_elements(By.CSS_SELECTOR, '.node[data-kind="PROFILE"]')
    assert graph.find_elements(By.CSS_SELECTOR, ".edge line") and graph.find_elements(By.CSS_SELECTOR, ".edge text")

    # As of the demo data's last day, the committee's members were engaged.
    as_of = browser.find_element(By.ID, "as-of")
    browser.execute_script("arguments[0].value = '2025-06-30'; arguments[0].dispatchEvent(new Event('change'))", as_of)
    text_in("#engagement", "engaged contacts")

    # The change redrew the committee (synchronously cleared): find its rows again.
    rows = wait.until(ec.presence_of_all_elements_located((By.CSS_SELECTOR, "table.committee-members tbody tr")))
    member = rows[0].find_element(By.CSS_SELECTOR, "a")
    name = member.text
    member.click()
    text_in("#profile-name", name)
    text_in("#profile-traits", "trait")
    assert org_id in {
        a.get_attribute("href").rsplit("/", 1)[-1]
        for a in browser.find_elements(By.CSS_SELECTOR, "#profile-organizations a")
    }
    # With a key lacking pii:read the same page shows what the API sends: masked values, and says so.
    use_key(masked_key)
    text_in("#view", "Personal data is masked")
    assert "***" in browser.find_element(By.ID, "profile-name").text

    # Nothing failed but the refused key's request.
    logged = browser.get_log("browser")
    assert not [e for e in logged if e["level"] == "SEVERE" and "status of 401" not in e["message"]], logged
