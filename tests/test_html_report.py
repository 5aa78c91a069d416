"""``dedup scan --html``: the page in a real headless browser (Debian's chromium and chromedriver).

The browser tests fail, never skip, when chromium or chromedriver is missing: ``.ci/run``
installs them. One browser serves the whole session.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dedup import Config, Match, Passage, Report
from dedup.cli import main
from dedup.html_report import HtmlCollector, script_json, write_html
from tests.conftest import SEEDS

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
STORY = ("The city council approved a budget of 4.2 billion dollars on Tuesday after a long "
         "debate. Most of the new money will go to schools, public transport and bridges.")
# Each would run (set window.pwned, change the title) if any text reached the page as markup.
PAYLOADS = [
    "<script>window.pwned = 1; document.title = 'pwned'</script>",
    "<img src=x onerror=\"window.pwned = 2; document.title = 'pwned'\">",
    "</textarea><script>window.pwned = 3</script><textarea>",
    "</script><script>window.pwned = 4</script><!--",
    "<svg onload=\"window.pwned = 5\"></svg>&lt;b&gt;\u2028\u2029",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless chromium for the session, driven through chromedriver (no downloads)."""
    for binary in (CHROMIUM, CHROMEDRIVER):
        if not Path(binary).exists() and shutil.which(Path(binary).name) is None:
            pytest.fail(f"{binary} is missing: the HTML report tests need Debian's chromium "
                        "and chromium-driver (apt-get install chromium chromium-driver; "
                        ".ci/run installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1000"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _open(driver: object, page: Path) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(page.resolve().as_uri())  # type: ignore[attr-defined]
    WebDriverWait(driver, 20).until(  # type: ignore[arg-type]
        lambda d: d.execute_script("return document.body.dataset.ready === '1'"))


def _js(driver: object, script: str) -> object:
    return driver.execute_script(script)  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def seed_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("html")
    page = folder / "seeds.html"
    assert main(["scan", str(SEEDS), "--html", str(page), "--format", "json",
                 "--output", str(folder / "report.json")]) == 0
    return page


def test_the_page_shows_the_seed_match_and_opens_its_passages(browser: object,
                                                              seed_page: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, seed_page)
    assert _js(browser, "return document.getElementById('title').textContent") == (
        "dedup 0.1.0: 5 documents, 1 match")
    rows = browser.find_elements(By.CSS_SELECTOR, "tr.match")  # type: ignore[attr-defined]
    assert len(rows) == 1
    cells = [c.text for c in rows[0].find_elements(By.TAG_NAME, "td")]
    # The page shows what the JSON report of the same scan says.
    match = json.loads((seed_page.parent / "report.json").read_text())["matches"][0]
    containment = match["containment"]
    assert cells == ["1", "rewrite", f"{match['score']:.2f}", f"{match['jaccard']:.2f}",
                     f"{containment['a_in_b']:.2f} / {containment['b_in_a']:.2f}",
                     "001_22eb800b89b5fc2c", "004_4255ebb52fea5816"]
    assert not browser.find_elements(By.CSS_SELECTOR, "tr.aligned")  # type: ignore[attr-defined]
    rows[0].click()
    aligned = browser.find_elements(By.CSS_SELECTOR, "tr.aligned")  # type: ignore[attr-defined]
    assert len(aligned) >= 5
    a_cell, sim, b_cell = aligned[0].find_elements(By.TAG_NAME, "td")
    assert a_cell.text.startswith("line 1\nISI backing small jihadi outfits")
    assert b_cell.text.startswith("line 1\nISI backs small jihadi groups")
    assert sim.text == "0.56"
    assert [m.text for m in a_cell.find_elements(By.TAG_NAME, "mark")] == [
        "ISI", "small", "jihadi", "Afghanistan", "Taliban"]
    # 001 repeats lines 3-6 as 7-10: marked in its article as dropped repeats.
    repeats = _js(browser, "return Array.from(document.querySelectorAll('.view .repeat'))"
                           ".map((e) => e.title)")
    assert repeats == ["repeats line 3", "repeats line 4", "repeats line 5", "repeats line 6"]
    rows[0].click()  # closes
    assert not browser.find_elements(By.CSS_SELECTOR, "tr.aligned")  # type: ignore[attr-defined]


def test_the_page_is_one_file_with_no_network(seed_page: Path) -> None:
    html = seed_page.read_text("utf-8")
    for needle in ("http://", "https://", "<link", " src="):
        assert needle not in html
    assert "default-src 'none'" in html  # a CSP that forbids every fetch


def _feed(tmp_path: Path, records: list[dict[str, str]]) -> Path:
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return feed


def test_markup_in_ids_and_texts_runs_nothing_and_shows_as_text(
        browser: object, tmp_path: Path) -> None:
    records = []
    para = ("The harbour authority said the new sea wall would be finished before the winter "
            "storms, after two years of delays and a budget that doubled.")
    for number, payload in enumerate(PAYLOADS):
        text = f"{payload}\n{STORY} {payload}\n{para}\n{para}\n{payload}"
        records += [{"id": f"{payload}-a{number}", "text": text},
                    {"id": f"{payload}-b{number}", "text": text + " " + payload}]
    page = tmp_path / "hostile.html"
    assert main(["scan", str(_feed(tmp_path, records)), "--html", str(page), "-o",
                 str(tmp_path / "report.txt")]) == 0
    raw = page.read_text("utf-8")
    assert "<script>window" not in raw
    assert "\u2028" not in raw
    _open(browser, page)
    matches = len(json.loads(raw.split('id="dedup-data">')[1].split("</script>")[0])["matches"])
    assert matches >= len(PAYLOADS)  # each pair, and pairs across payloads (same story)
    assert _js(browser, "return document.querySelectorAll('tr.match').length") == matches
    # Open every match and every article with repeats: all text is on the page now.
    _js(browser, "document.querySelectorAll('tr.match').forEach((r) => r.click());"
                 "document.querySelectorAll('details').forEach((d) => { d.open = true; });")
    time.sleep(0.3)
    assert _js(browser, "return typeof window.pwned") == "undefined"
    assert _js(browser, "return document.title") == "dedup report"
    assert _js(browser, "return document.querySelectorAll('img, svg, textarea').length") == 0
    shown = str(_js(browser, "return document.body.innerText"))
    for payload in PAYLOADS:
        assert payload.split("\u2028")[0] in shown, payload
    assert "&lt;b&gt;" in shown  # entities are not decoded either


def test_shared_words_are_marked_past_characters_outside_the_bmp(
        browser: object, tmp_path: Path) -> None:
    # JavaScript counts an emoji as two units, Python as one: the marks must still fit.
    text = "\U0001F600\U0001F4F0 " + STORY.replace("council", "council \U0001F3DB")
    feed = _feed(tmp_path, [{"id": "a", "text": text}, {"id": "b", "text": text + " Indeed."}])
    page = tmp_path / "emoji.html"
    assert main(["scan", str(feed), "--html", str(page), "-o", str(tmp_path / "r.txt")]) == 0
    _open(browser, page)
    _js(browser, "document.querySelector('tr.match').click()")
    marked = _js(browser, "return Array.from(document.querySelectorAll('.view mark'))"
                          ".map((m) => m.textContent)")
    assert marked[:4] == ["city", "council", "approved", "budget"]  # type: ignore[index]
    assert all(str(word).isalnum() or "." in str(word) for word in marked)  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def big_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """A page of 10,000 matches among 400 articles of 20 lines (what a feed's day may give)."""
    collector = HtmlCollector(documents=400)
    texts = {}
    for n in range(400):
        texts[f"doc-{n:04d}"] = "\n".join(
            f"Line {line} of article {n}: {STORY}" for line in range(1, 21))
    kinds = ("exact", "near_duplicate", "partial", "rewrite")
    for n in range(10_000):
        a, b = n % 400, (n * 7 + 1) % 400
        passages = tuple(Passage((line, line), (line + 1, line + 1), 0.6 + line / 100)
                         for line in range(1, 12, 2))
        collector.matches.append(Match(f"doc-{a:04d}", f"doc-{b:04d}", kinds[n % 4],
                                       (n % 97) / 97, 0.5, 0.4, (n % 89) / 89, passages))
    page = tmp_path_factory.mktemp("big") / "big.html"
    started = time.perf_counter()
    with page.open("w", encoding="utf-8") as out:
        write_html(collector, Report(Config()), texts, out)
    return page, time.perf_counter() - started


def test_ten_thousand_matches_stay_usable(browser: object, big_page: tuple[Path, float]) -> None:
    page, written = big_page
    assert written < 60  # shared words of 60,000 passages (typically ~5 s on a loaded machine)
    started = time.perf_counter()
    _open(browser, page)
    loaded = time.perf_counter() - started
    # 200 rows a page; the side-by-side views are built when opened.
    assert _js(browser, "return document.querySelectorAll('tr.match').length") == 200
    assert _js(browser, "return document.getElementById('shown').textContent") == (
        "1-200 of 10000 matches")
    assert _js(browser, "return document.querySelectorAll('.view').length") == 0
    started = time.perf_counter()
    _js(browser, "document.querySelector('#matches th[data-key=score]').click()")
    scores = _js(browser, "return Array.from(document.querySelectorAll('tr.match td:nth-child(3)'"
                          ")).slice(0, 200).map((c) => Number(c.textContent))")
    sorted_in = time.perf_counter() - started
    assert scores == sorted(scores, reverse=True)  # type: ignore[arg-type, type-var]
    _js(browser, "document.querySelector('#matches th[data-key=kind]').click()")
    kinds = _js(browser, "return Array.from(document.querySelectorAll('tr.match td:nth-child(2)'"
                         ")).map((c) => c.textContent)")
    assert kinds == sorted(kinds, reverse=True)  # type: ignore[arg-type, type-var]
    _js(browser, "document.getElementById('next').click()")
    assert _js(browser, "return document.getElementById('shown').textContent") == (
        "201-400 of 10000 matches")
    _js(browser, "const f = document.getElementById('kind-filter'); f.value = 'partial';"
                 "f.dispatchEvent(new Event('change'))")
    assert _js(browser, "return document.getElementById('shown').textContent") == (
        "1-200 of 2500 matches (of 10000)")
    assert set(_js(browser, "return Array.from(document.querySelectorAll("  # type: ignore[arg-type]
                            "'tr.match td:nth-child(2)')).map((c) => c.textContent)")) == {
        "partial"}
    started = time.perf_counter()
    _js(browser, "document.querySelector('tr.match').click()")
    opened = time.perf_counter() - started
    assert _js(browser, "return document.querySelectorAll('.view').length") == 1
    assert _js(browser, "return document.querySelectorAll('.view tr.aligned').length") == 6
    assert _js(browser, "return document.querySelectorAll('.view mark').length") > 20
    # Generous bounds for a loaded CI machine; on an idle one these take well under a second.
    print(f"10,000 matches: written in {written:.1f} s, {page.stat().st_size / 1e6:.1f} MB, "
          f"loaded in {loaded:.2f} s, sorted in {sorted_in:.2f} s, opened in {opened:.3f} s")
    assert loaded < 30
    assert sorted_in < 10
    assert opened < 5


def test_script_json_escapes_what_could_end_the_script() -> None:
    text = "</script><!--<script>&\u2028\u2029"
    encoded = script_json({"t": text})
    for raw in ("<", ">", "&", "\u2028", "\u2029"):
        assert raw not in encoded
    assert json.loads(encoded) == {"t": text}


def test_html_needs_inputs_that_can_be_read_again(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["scan", "-", "--html", str(tmp_path / "r.html")])
    assert exit_info.value.code == 2
    assert "stdin cannot be read twice" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["scan", str(SEEDS), "--html", "-"])
    assert exit_info.value.code == 2
    assert not (tmp_path / "r.html").exists()


def test_html_with_a_streamed_report_and_an_earlier_run_in_the_index(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    index = str(tmp_path / "feed.dedup")
    first = _feed(tmp_path, [{"id": "old", "text": STORY}])
    assert main(["scan", str(first), "--index", index, "--format", "json"]) == 0
    second = tmp_path / "second.jsonl"
    second.write_text(json.dumps({"id": "new", "text": STORY}) + "\n", encoding="utf-8")
    page = tmp_path / "r.html"
    assert main(["scan", str(second), "--index", index, "--format", "jsonl",
                 "--html", str(page)]) == 0
    capsys.readouterr()
    raw = page.read_text("utf-8")
    data = json.loads(raw.split('id="dedup-data">')[1].split("</script>")[0])
    assert [(m["a"], m["b"], m["kind"]) for m in data["matches"]] == [("old", "new", "exact")]
    # "old" came from the earlier run: the index has no text, and the page says so.
    assert data["documents"]["old"]["text"] is None
    assert data["documents"]["new"]["text"] == STORY
    assert data["stats"]["documents"] == 1


def test_documents_are_read_again_not_kept(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    import dedup.cli

    real = dedup.cli.read_texts

    def spy(ids: set[str], *args: object, **kwargs: object) -> dict[str, str]:
        seen.extend(sorted(ids))
        return real(ids, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(dedup.cli, "read_texts", spy)
    assert main(["scan", str(SEEDS), "--html", str(tmp_path / "r.html"), "-o",
                 str(tmp_path / "r.txt")]) == 0
    # Only the texts the page shows: the matched pair and the articles with repeats.
    assert seen == ["000_ca125b96806be2e4", "001_22eb800b89b5fc2c", "002_175bd1a941d29f3d",
                    "004_4255ebb52fea5816"]
