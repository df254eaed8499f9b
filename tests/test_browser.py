"""The web page in a real browser: Playwright driving Debian's chromium (headless).

Chromium comes from the system (``make browser`` installs it; ``make test``
depends on that target), never from a Playwright download. Without it these
tests fail with a message saying so: they are not skipped.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from test_serve import DEMO, TOKEN, XSS, ServerProcess, build_index, make_article

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
REPORT_TIMEOUT = 180_000  # ms; the first comparison also loads the models


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    rng = random.Random(5)
    db = build_index(
        tmp_path_factory.mktemp("browser") / "index.db",
        {f"wire/{i:02d}.txt": make_article(rng) for i in range(12)},
    )
    srv = ServerProcess(db, token=TOKEN)
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium with `make browser` "
            "(apt-get install chromium); the browser tests need it",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture()
def page(browser: Any, server: ServerProcess) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1360, "height": 1000})
    pg = context.new_page()
    pg.dialogs = []  # type: ignore[attr-defined]
    pg.console_errors = []  # type: ignore[attr-defined]

    def on_dialog(d: Any) -> None:
        pg.dialogs.append(d.message)  # type: ignore[attr-defined]
        d.dismiss()

    pg.on("dialog", on_dialog)
    pg.on("console", lambda m: m.type == "error" and pg.console_errors.append(m.text))  # type: ignore[attr-defined]
    pg.goto(server.url + "/")
    try:
        yield pg
    finally:
        context.close()


def _report(page: Any) -> Any:
    """The report frame, once the report in it has loaded."""
    frame = page.frame(name="report-frame")
    assert frame is not None
    frame.wait_for_selector("main.compare", timeout=REPORT_TIMEOUT)
    page.wait_for_selector("#report-status:not(.busy)", state="attached", timeout=REPORT_TIMEOUT)
    return frame


def _no_script_ran(page: Any, frame: Any) -> None:
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert frame.evaluate("typeof window.__xss") == "undefined"
    assert page.dialogs == []


def test_page_loads(page: Any) -> None:
    assert page.title().startswith("retold")
    assert "documents indexed" in page.inner_text("#doc-count")
    assert page.is_visible("#source") and page.is_visible("#copy")
    assert not page.is_visible("#report")  # shown once there is a report
    page.click("#tab-search")
    assert page.is_visible("#query") and not page.is_visible("#source")
    assert page.console_errors == []


def test_compare_demo_pair_shows_the_changes(page: Any, tmp_path: Path) -> None:
    # Upload one side through the file input (read by the page's script), paste the other.
    page.set_input_files('input[type="file"][data-target="source"]', str(DEMO / "harbour-original.txt"))
    page.wait_for_function("document.getElementById('source').value.length > 100")
    page.fill("#copy", (DEMO / "harbour-rewrite.txt").read_text("utf-8"))
    assert "characters" in page.inner_text('.chars[data-for="copy"]')
    page.click("#compare-button")
    frame = _report(page)
    assert frame.inner_text(".relation").strip().lower() == "paraphrase"
    assert "harbour-original.txt" in frame.inner_text("h1")  # the uploaded file's name
    rows = frame.locator("table.changes tbody tr")
    assert rows.count() >= 8
    table = frame.inner_text("table.changes")
    assert "121" in table and "112" in table  # a planted figure change
    assert "omission" in table and "addition" in table
    assert frame.locator("mark.chg").count() >= 8
    # The report's own script runs (allowed by its hash): clicking a change flashes its mark.
    rows.first.click()
    frame.wait_for_selector("mark.flash", timeout=5000)
    page.screenshot(path=str(tmp_path / "compare.png"), full_page=True)
    assert (tmp_path / "compare.png").stat().st_size > 10_000
    assert page.console_errors == []


def test_xss_payloads_never_run(page: Any, server: ServerProcess, tmp_path: Path) -> None:
    # One tag or two that read as prose (more would make the text HTML, reduced to its visible text).
    source = (
        f"The mayor of Delmont resigned on Monday after eight years in office. {XSS[0]}\n\n"
        "She said the council had 14 members.\n"
    )
    copy = (
        f"The mayor of Delmont quit on Tuesday after eight years in office. {XSS[1]}\n\n"
        f"She said the council had 41 members. {XSS[2]}\n"
    )
    page.fill("#source", source)
    page.fill("#copy", copy)
    page.click("#compare-button")
    frame = _report(page)
    _no_script_ran(page, frame)
    body = frame.inner_text("main.compare")
    assert all(x in body for x in XSS)  # shown as text
    assert frame.locator("img").count() == 0
    assert frame.locator('a[href^="javascript:"]').count() == 0
    assert frame.locator("script").count() == 1  # the report's own
    # The HTML report in a sandboxed frame cannot reach the page.
    probe = "(() => { try { return String(window.parent.document.title); } catch (e) { return 'no'; } })()"
    assert frame.evaluate(probe) == "no"

    # Untrusted ids and titles in search hits are text too.
    import httpx

    doc = {"id": f"evil/{XSS[1]}", "title": XSS[0], "text": source}
    r = httpx.post(
        server.url + "/api/documents", json=doc, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60
    )
    assert r.status_code == 201, r.text
    try:
        page.click("#tab-search")
        page.fill("#query", source)
        page.click("#search-button")
        page.wait_for_selector(".hit", timeout=60_000)
        assert XSS[1] in page.inner_text("#hits") and XSS[0] in page.inner_text("#hits")
        page.locator(".hit", has_text=XSS[1]).locator("button").click()
        frame = _report(page)
        _no_script_ran(page, frame)
        page.screenshot(path=str(tmp_path / "xss.png"), full_page=True)
    finally:
        httpx.request(
            "DELETE",
            f"{server.url}/api/documents/evil/{XSS[1]}",
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=60,
        )
    assert page.console_errors == [] or all("Content Security Policy" in e for e in page.console_errors)


def test_search_and_open_a_hits_report(page: Any, tmp_path: Path) -> None:
    page.click("#tab-search")
    page.set_input_files('input[type="file"][data-target="query"]', str(DEMO / "harbour-rewrite.txt"))
    page.wait_for_function("document.getElementById('query').value.length > 100")
    page.click("#search-button")
    page.wait_for_selector('.hit[data-id="harbour-original.txt"]', timeout=60_000)
    ids = page.eval_on_selector_all(".hit", "els => els.map(e => e.getAttribute('data-id'))")
    assert ids[:2] == ["harbour-rewrite.txt", "harbour-original.txt"]
    hit = page.locator('.hit[data-id="harbour-original.txt"]')
    assert "paraphrase" in hit.inner_text() and "this document looks like the original" in hit.inner_text()
    hit.locator("button").click()
    frame = _report(page)
    # The hit is the source: it is on the left, the uploaded query on the right.
    assert frame.inner_text(".names").strip() == "harbour-original.txt → harbour-rewrite.txt"
    assert frame.locator("table.changes tbody tr").count() >= 8
    assert "current" in (hit.get_attribute("class") or "")
    page.screenshot(path=str(tmp_path / "search.png"), full_page=True)
    assert page.console_errors == []
