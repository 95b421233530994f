"""The documentation site: a strict mkdocs build, and a rule page checked in headless Chromium."""

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from djspecs.spec import load_rules
from tests.support import require

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "assets" / "rule-page.png"


@pytest.fixture(scope="session")
def site(root, tmp_path_factory) -> Path:
    """Build the site once with `mkdocs build --strict`; any warning fails the build."""
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--config-file",
            str(root / "mkdocs.yml"),
            "--site-dir",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=root,
    )
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.slow
def test_strict_build_has_a_page_per_area_and_every_anchor(site):
    rules = load_rules()
    for area in rules.areas:
        page = (site / "rules" / area.name / "index.html").read_text()
        assert all(f'id="{rule.id}"' in page for rule in area.rules), area.name
    assert "Rule index" in (site / "rules" / "index.html").read_text()
    assert "Vectors in this release" in (site / "vectors" / "index.html").read_text()


@pytest.fixture(scope="session")
def served(site):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    require(
        shutil.which(CHROMIUM) is not None and shutil.which(CHROMEDRIVER) is not None,
        "headless Chromium is missing: apt-get install chromium chromium-driver",
    )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,1000",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


@pytest.mark.browser
def test_rule_page_shows_anchor_badge_and_search(served, browser, tmp_path):
    from selenium.webdriver.common.by import By

    rule = load_rules().get("DEF-3")
    browser.get(f"{served}/rules/definition/#DEF-3")
    heading = browser.find_element(By.ID, "DEF-3")
    assert heading.is_displayed() and "DEF-3" in heading.text
    badge = heading.find_element(By.XPATH, "following-sibling::p[1]/span[contains(@class, 'dj-level')]")
    assert badge.is_displayed() and badge.text == rule.level
    search = browser.find_element(By.CSS_SELECTOR, "input.md-search__input")
    assert search.is_displayed()
    browser.save_screenshot(str(tmp_path / "rule-page.png"))
    assert (tmp_path / "rule-page.png").stat().st_size > 10_000
    if os.environ.get("DJSPECS_UPDATE_SCREENSHOT"):
        shutil.copy(tmp_path / "rule-page.png", SCREENSHOT)


@pytest.mark.browser
def test_rule_index_filter_narrows_the_table(served, browser):
    from selenium.webdriver.common.by import By

    browser.get(f"{served}/rules/")
    rows = browser.find_element(By.CSS_SELECTOR, "article table").find_elements(By.CSS_SELECTOR, "tbody tr")
    assert len(rows) == len(load_rules())
    browser.find_element(By.ID, "rule-filter").send_keys("Q-32")
    visible = [row.text for row in rows if row.is_displayed()]
    assert len(visible) == 1 and visible[0].startswith("Q-32")


@pytest.mark.slow
def test_conformance_page_shows_the_matrix_of_committed_certificates(site, root):
    import json

    from djspecs.conformance.certificate import content_digest

    certificates = sorted((root / "docs" / "certificates").glob("*/*.json"))
    assert certificates, "no committed certificate"
    page = (site / "conformance" / "index.html").read_text()
    for path in certificates:
        certificate = json.loads(path.read_text())
        assert certificate["sha256"] == content_digest(certificate), path
        assert f"{path.parent.name} / {path.stem}" in page
    assert all(f'href="../rules/{rule.area}/#{rule.id}"' in page for rule in load_rules())
