"""The web studio in a real browser: the system's Chromium driven by Playwright against
``etude serve`` (the real CLI command) on loopback, with the embedded model, real SQLite and
the real graph.

One learner's visit: upload a Bach chorale, see it engraved with a finding marked on its bar
and shaded in the piano roll, play it, take it home as MusicXML, MIDI and ABC (each read back
with music21), work the page with the keyboard alone, ask about it and watch the reply stream in
as Markdown, paste a tune and see it engraved, playable and downloadable, reload and find the
lesson and the score again, in the dark theme and at a phone's width, with axe-core finding no
serious or critical violation in any of them. A second browser (another learner) opening the
first learner's lesson link sees none of it.

Screenshots of each step go to ``tmp/artifacts/web_studio/`` (or ``$ETUDE_TEST_ARTIFACTS``)
for a human to look at; they are never committed. ``ETUDE_DOCS_SCREENSHOTS=1`` also refreshes
the README's (``docs/studio-light.png``, ``studio-dark.png``, ``studio-phone.png``) from the
same visit.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.servers import free_port, stop, wait_until_up

pytestmark = pytest.mark.integration

CHROMIUM = Path(os.environ.get("ETUDE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium")
"""Debian's ``chromium`` package; ``ETUDE_CHROMIUM`` names another Chromium binary."""
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]
TURN_TIMEOUT_MS = 240_000
"""A turn on a busy 2-core CPU takes 5-30 s; the first one may also wait for the model."""
REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "tests" / "data" / "axe-core" / "axe.min.js"
"""axe-core 4.14.1 (MPL-2.0, see its README there), run inside the page."""
PHONE = {"width": 390, "height": 844}
"""A phone's CSS viewport (iPhone 12-15); the studio's phone layout applies up to 420 px."""
TUNE_PITCHES = [67, 69, 71, 72, 74, 71, 72, 69, 66, 69, 67]
"""``TUNE``'s notes as MIDI numbers."""
ARTIFACTS = Path(os.environ.get("ETUDE_TEST_ARTIFACTS") or REPO / "tmp" / "artifacts")
TUNE = "X:1\nT:Little tune\nM:4/4\nL:1/4\nK:G\nGABc|d2B2|cAFA|G4|]"
REPLY_DONE = (
    "() => { const r = [...document.querySelectorAll('.message.ai, .message.error')].pop();"
    " return r && !r.classList.contains('typing') && r.textContent.length > 20; }"
)

if not CHROMIUM.is_file():
    pytest.skip(
        f"no Chromium at {CHROMIUM}: install Debian's package (apt-get install -y chromium) "
        "or set ETUDE_CHROMIUM to run the browser tests",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is missing: pip install -e '.[dev]'"
)


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line each."""
    if not page.evaluate("() => Boolean(window.axe)"):
        # Evaluated, not added as a <script>: the studio's CSP allows its own files only.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)"
    )
    return list(found)


def pitches_of(path: Path) -> list[list[int]]:
    """The MIDI numbers of each part's notes, read back with music21."""
    from music21 import converter

    score = converter.parse(str(path))
    return [[p.midi for p in part.flatten().pitches] for part in score.parts]


def save_download(page: Any, click: Any, folder: Path) -> Path:
    """Do ``click`` and keep the file the page hands over, under the name it suggests."""
    with page.expect_download(timeout=120_000) as started:
        click()
    download = started.value
    target = folder / download.suggested_filename
    download.save_as(target)
    return target


@pytest.fixture(scope="module")
def studio_url(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``etude serve`` in a subprocess, shared by the module's tests."""
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    etude = Path(sys.executable).with_name("etude")
    env = {**os.environ, "ETUDE_DATA_DIR": str(data_dir)}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(etude), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return bool(json.load(response)["status"] == "ok")

    try:
        wait_until_up(healthy, process, what="etude serve", seconds=180, log=log)
        yield url
    finally:
        stop(process, grace=15)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def shots() -> Path:
    folder = ARTIFACTS / "web_studio"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def visit(studio_url: str, browser: Any) -> Iterator[dict[str, Any]]:
    """The first learner's whole visit; the tests below check what it left behind."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    context.set_default_timeout(120_000)  # clicks and reads wait longer on a busy 2-core CPU
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    turn_types: list[str] = []
    page.on(
        "response",
        lambda r: (
            turn_types.append(r.headers.get("content-type", ""))
            if r.url.endswith("/turns")
            else None
        ),
    )
    outside: list[str] = []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url) if not r.url.startswith((studio_url, "data:", "blob:")) else None
        ),
    )
    yield {
        "page": page,
        "context": context,
        "errors": errors,
        "turn_types": turn_types,
        "outside": outside,
    }
    context.close()


def _count_file_clicks(page: Any) -> None:
    """Count clicks on the hidden file input (``window.fileClicks``, from 0) instead of
    opening the system's file chooser."""
    page.evaluate(
        "() => { window.fileClicks = 0; if (window.countingFiles) return;"
        " window.countingFiles = true; document.getElementById('file').addEventListener("
        "'click', (e) => { window.fileClicks += 1; e.preventDefault(); }); }"
    )


def test_upload_shows_score_findings_and_plays(
    visit: dict[str, Any], studio_url: str, chorale_midi: Path, shots: Path
) -> None:
    page = visit["page"]
    page.goto(studio_url + "/")
    page.wait_for_selector("body[data-ready=true]", timeout=60_000)
    page.screenshot(path=shots / "1-empty.png", full_page=True)

    # The drop zone is reachable with the keyboard and opens the file chooser on Enter (it
    # clicks the file input: counted there, see the keyboard test for why not through
    # Playwright's chooser event); the file is then chosen as the chooser would.
    _count_file_clicks(page)
    page.focus("#dropzone")
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.fileClicks === 1", timeout=30_000)
    page.set_input_files("#file", str(chorale_midi))
    page.wait_for_selector("#notation svg", timeout=120_000)
    page.wait_for_selector("#notation .finding-mark", timeout=120_000)
    assert "F# minor" in page.locator("#score-summary").inner_text()

    findings = page.locator("#findings li button")
    assert findings.count() >= 1
    first_bar = findings.first.get_attribute("data-bar")
    assert first_bar
    highlighted = page.locator("#roll").get_attribute("data-highlighted-bars") or ""
    assert first_bar in highlighted.split()
    assert page.locator(f'#notation .finding-mark[data-bar="{first_bar}"]').count() == 1
    findings.first.focus()
    page.keyboard.press("Enter")  # findings are keyboard-operable buttons
    assert findings.first.get_attribute("aria-pressed") == "true"
    assert "selected" in (
        page.locator(f'#notation .finding-mark[data-bar="{first_bar}"]').get_attribute("class")
        or ""
    )
    # music21 writes the chorale's one-beat upbeat at time 0 of the MIDI file: the studio says
    # that its bar numbers may be one off, above the findings that show them.
    note = page.locator("#pickup-note")
    assert note.is_visible() and "upbeat (pickup)" in note.inner_text()
    note_box, finding_box = note.bounding_box(), findings.first.bounding_box()
    assert note_box and finding_box and note_box["y"] + note_box["height"] <= finding_box["y"]
    page.screenshot(path=shots / "2-score.png", full_page=True)

    page.click("#play")
    assert page.get_attribute("#play", "aria-pressed") == "true"
    page.wait_for_function(
        "() => parseFloat(document.querySelector('#roll').dataset.playhead || '0') > 0.5",
        timeout=60_000,
    )
    page.click("#play")
    assert page.get_attribute("#play", "aria-pressed") == "false"


def test_the_heat_strip_marks_the_bar_with_the_least_expected_note(
    visit: dict[str, Any], shots: Path
) -> None:
    """MusicBERT's surprise, bar by bar, under the piano roll (issue #22): one button per bar,
    the darkest where the encoder expected another pitch most; pressing it marks the bar in the
    notation and names the note and the pitches the encoder expected."""
    page = visit["page"]
    page.wait_for_selector("#surprise-strip button", timeout=120_000)
    cells = page.locator("#surprise-strip button")
    summary = page.locator("#score-summary").inner_text()
    bars = int(re.search(r"(\d+) bars", summary).group(1))  # type: ignore[union-attr]
    assert cells.count() == bars
    heats = page.evaluate(
        "() => [...document.querySelectorAll('#surprise-strip button')].map("
        "b => [b.dataset.bar, parseFloat(b.style.getPropertyValue('--heat'))])"
    )
    darkest, heat = max(heats, key=lambda pair: pair[1])
    assert heat == pytest.approx(1.0) and min(h for _, h in heats) < 0.1  # shaded within the piece
    cell = page.locator(f'#surprise-strip button[data-bar="{darkest}"]')
    cell.focus()
    page.keyboard.press("Enter")
    assert cell.get_attribute("aria-pressed") == "true"
    mark = page.locator(f'#notation .finding-mark[data-bar="{darkest}"]')
    assert mark.count() == 1 and "selected" in (mark.get_attribute("class") or "")
    said = page.locator("#surprise-note").inner_text()
    assert said.startswith(f"Bar {darkest}, ") and "MusicBERT expected" in said
    page.screenshot(path=shots / "2b-surprise.png", full_page=True)


def test_the_score_downloads_in_three_formats(
    visit: dict[str, Any], chorale_midi: Path, tmp_path: Path
) -> None:
    """Each format the learner can take home opens in music21 with the chorale's own notes, by
    keyboard, under the learner's own file name."""
    page = visit["page"]
    sent = pitches_of(chorale_midi)
    names = []
    for fmt in ("musicxml", "midi", "abc"):
        button = page.locator(f'#downloads button[data-format="{fmt}"]')
        button.focus()
        path = save_download(page, lambda: page.keyboard.press("Enter"), tmp_path)
        names.append(path.name)
        assert pitches_of(path) == sent, fmt
    assert names == ["bwv66_6.musicxml", "bwv66_6.mid", "bwv66_6.abc"]
    assert "Downloaded bwv66_6.abc" in page.locator("#score-status").inner_text()


def test_the_page_works_from_the_keyboard(visit: dict[str, Any], shots: Path) -> None:
    """Tab reaches every control with a visible focus ring; the documented shortcuts work."""
    page = visit["page"]
    page.locator("body").click(position={"x": 5, "y": 300})  # start from the page itself
    controls = page.evaluate(
        "() => [...document.querySelectorAll('button, select, textarea, input, a[href], "
        '[tabindex="0"]\')].filter(e => e.offsetParent !== null && !e.disabled'
        " && !e.closest('dialog')).map(e => e.id || e.textContent.trim().slice(0, 30))"
    )
    reached: list[str] = []
    rings: list[str] = []
    for _ in range(len(controls) + 40):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement; const s = getComputedStyle(e);"
            " return e === document.body ? null : [e.id || e.textContent.trim().slice(0, 30),"
            " s.outlineStyle + ' ' + s.outlineWidth]; }"
        )
        if focused:  # past the last control, focus leaves the page for a moment
            reached.append(focused[0])
            rings.append(focused[1])
    missing = [c for c in controls if c not in reached]
    assert not missing, missing
    assert all(not ring.startswith("none") and not ring.endswith(" 0px") for ring in rings), rings

    # Focus off any field: a click on the messages may land on a control of a reply (where
    # the list has scrolled to depends on how fast the page ran), so blur whatever has focus
    # and check that no field would swallow the key.
    page.locator("#messages").click(position={"x": 5, "y": 5})
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    focused = page.evaluate("() => document.activeElement ? document.activeElement.tagName : ''")
    assert focused in ("BODY", ""), focused
    # "u" clicks the file input. Counted on the input itself rather than through Playwright's
    # file-chooser event: that interception is switched on without waiting for the browser,
    # and on a loaded machine the key arrived first (the chooser opened unseen, a timeout).
    _count_file_clicks(page)
    page.keyboard.press("u")
    page.wait_for_function("() => window.fileClicks === 1", timeout=30_000)
    page.keyboard.press("?")
    assert page.locator("#help").evaluate("d => d.open")
    assert "Next / previous finding" in page.locator("#help").inner_text()
    page.screenshot(path=shots / "2b-help.png")
    page.keyboard.press("Escape")
    assert not page.locator("#help").evaluate("d => d.open")
    page.keyboard.press("n")
    first = page.locator("#findings li button").first
    assert first.get_attribute("aria-pressed") == "true"
    assert page.evaluate("() => document.activeElement.dataset.bar") == first.get_attribute(
        "data-bar"
    )
    page.keyboard.press("p")
    assert page.get_attribute("#play", "aria-pressed") == "true"
    page.keyboard.press("Escape")
    assert page.get_attribute("#play", "aria-pressed") == "false"
    page.keyboard.press("/")
    assert page.evaluate("() => document.activeElement.id") == "message"
    page.keyboard.press("t")  # typed into the message box: no shortcut
    assert page.input_value("#message") == "t"
    page.fill("#message", "")


def test_question_streams_a_grounded_reply(visit: dict[str, Any], shots: Path) -> None:
    page = visit["page"]
    question = "What should I improve in my chorale?"
    page.fill("#message", question)
    page.keyboard.press("Enter")
    page.wait_for_function(REPLY_DONE, timeout=TURN_TIMEOUT_MS)
    reply = page.locator(".message.ai").last
    assert any("text/event-stream" in kind for kind in visit["turn_types"]), visit["turn_types"]
    assert int(reply.get_attribute("data-tokens") or "0") >= 2  # it arrived token by token
    answer = reply.inner_text()
    assert "F# minor" in answer, answer  # the critic's key, stated verbatim
    assert "score critic" in answer  # the route tag under the reply
    assert "Note on bar numbers:" in answer  # the MIDI file's unmarked upbeat
    # The reply's Markdown is drawn: one list item per listed line, no literal markup left.
    detail = page.evaluate(
        "async () => (await (await fetch(location.pathname.replace(/\\/$/, '')"
        " + '/sessions/' + location.hash.slice(3))).json()).messages"
    )
    written = detail[-1]["content"].split("\n\nSources:")[0]
    listed = [line for line in written.splitlines() if re.match(r"\s*(?:[-*+]|\d+[.)])\s", line)]
    assert reply.locator("li").count() == len(listed), written
    assert "**" not in answer and "```" not in answer
    page.screenshot(path=shots / "3-reply.png", full_page=True)


def test_a_tune_in_the_chat_is_engraved_playable_and_downloadable(
    visit: dict[str, Any], shots: Path, tmp_path: Path
) -> None:
    page = visit["page"]
    page.uncheck("#attach")  # about the pasted tune, not the chorale
    page.fill("#message", f"Here is a tune I wrote:\n{TUNE}")
    page.keyboard.press("Enter")
    human = page.locator(".message.human").last
    human.locator(".message-music svg").wait_for(timeout=60_000)
    play = human.locator(".message-music button[aria-pressed]")  # named Stop while playing
    assert play.inner_text().endswith("Play tune")
    play.click()
    assert play.get_attribute("aria-pressed") == "true"
    assert play.inner_text().endswith("Stop")
    play.click()
    midi = save_download(
        page, lambda: human.locator('.message-music button[data-format="midi"]').click(), tmp_path
    )
    assert midi.name == "Little_tune.mid"
    assert pitches_of(midi) == [TUNE_PITCHES]
    # The router has answered; the reply itself is awaited by the next test, before it
    # reloads (a 135M model on a busy CPU can take minutes over a tune).
    page.locator(".message.ai").last.and_(page.locator("[data-route]")).wait_for(
        timeout=TURN_TIMEOUT_MS
    )
    page.screenshot(path=shots / "4-tune.png", full_page=True)


def test_reload_restores_history_score_and_profile(
    visit: dict[str, Any], studio_url: str, shots: Path
) -> None:
    page = visit["page"]
    # A turn enters the lesson's history whole, once it is answered (a question without its
    # reply is never part of the lesson: issue #21), so the reply to the tune comes first.
    page.wait_for_function(REPLY_DONE, timeout=TURN_TIMEOUT_MS)
    page.reload()
    page.wait_for_selector("body[data-ready=true]", timeout=60_000)
    page.wait_for_selector("#notation .finding-mark", timeout=120_000)
    humans = page.locator(".message.human")
    assert humans.count() == 2
    assert "What should I improve in my chorale?" in humans.first.inner_text()
    assert humans.last.locator(".message-music svg").count() == 1  # engraved again from history
    assert "F# minor" in page.locator(".message.ai").first.inner_text()
    current = page.locator("#sessions button[aria-current=true]")
    assert current.inner_text().startswith("What should I improve")
    assert "score critic" in page.locator("#progress").inner_text()
    page.screenshot(path=shots / "5-reloaded.png", full_page=True)
    assert not visit["errors"], visit["errors"]
    assert not visit["outside"], visit["outside"]  # everything came from our server


def test_markdown_is_drawn_as_nodes_never_as_html(visit: dict[str, Any]) -> None:
    """The studio's own Markdown module, in the page: lists, bold, code, a fenced tune set
    aside for engraving, and markup in a reply kept as text."""
    page = visit["page"]
    drawn = page.evaluate(
        """async () => {
          const { renderMarkdown } = await import('/static/markdown.js');
          const box = document.createElement('div');
          box.append(renderMarkdown('Play **this**:\\n\\n```abc\\nX:1\\nK:G\\nGABc|\\n```\\n'
            + '1. one `C E G`\\n2. two\\n- <img src=x onerror=alert(1)>'));
          return { strong: box.querySelector('strong')?.textContent,
                   slot: box.querySelector('.tune-slot')?.dataset.abc,
                   items: [...box.querySelectorAll('li')].map(li => li.textContent),
                   code: box.querySelector('code')?.textContent,
                   images: box.querySelectorAll('img').length, text: box.textContent };
        }"""
    )
    assert drawn["strong"] == "this" and drawn["code"] == "C E G"
    assert drawn["slot"] == "X:1\nK:G\nGABc|"
    assert drawn["items"] == ["one C E G", "two", "<img src=x onerror=alert(1)>"]
    assert drawn["images"] == 0 and "```" not in drawn["text"]


def test_dark_theme_phone_width_and_accessibility(
    visit: dict[str, Any], browser: Any, studio_url: str, shots: Path
) -> None:
    """The whole lesson (score, findings, a Markdown reply, an engraved tune) in light and dark
    and on a phone: axe-core finds no serious or critical violation in any of them."""
    page = visit["page"]
    # The chat shows the reply about the chorale from its start, the page its top.
    page.evaluate(
        "() => { const log = document.getElementById('messages');"
        " log.scrollTop = document.querySelector('.message.ai').offsetTop - log.offsetTop - 8;"
        " window.scrollTo(0, 0); }"
    )
    assert serious_violations(page) == []
    docs = os.environ.get("ETUDE_DOCS_SCREENSHOTS") == "1"
    page.screenshot(path=shots / "8-light.png")
    if docs:
        page.screenshot(path=REPO / "docs" / "studio-light.png")

    page.click("#theme")
    assert page.get_attribute("#theme", "aria-pressed") == "true"
    page.reload()  # the choice is kept
    page.wait_for_selector("#notation .finding-mark", timeout=120_000)
    page.locator(".message-music svg").last.wait_for(timeout=60_000)
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert _luminance(background) < 0.1, background
    assert page.get_attribute("#theme", "aria-pressed") == "true"
    assert serious_violations(page) == []
    page.screenshot(path=shots / "9-dark.png")
    if docs:
        page.screenshot(path=REPO / "docs" / "studio-dark.png")
    page.click("#theme")  # back to light for the tests after this one

    # The system's choice is followed when the learner has made none.
    system_dark = browser.new_context(viewport={"width": 1200, "height": 800}, color_scheme="dark")
    try:
        fresh = system_dark.new_page()
        fresh.goto(studio_url)
        fresh.wait_for_selector("body[data-ready=true]", timeout=60_000)
        assert fresh.get_attribute("#theme", "aria-pressed") == "true"
        assert (
            _luminance(fresh.evaluate("() => getComputedStyle(document.body).backgroundColor"))
            < 0.1
        )
    finally:
        system_dark.close()

    phone = browser.new_context(
        viewport=PHONE,
        storage_state=visit["context"].storage_state(),
        is_mobile=True,
        has_touch=True,
    )
    try:
        small = phone.new_page()
        small.goto(page.url)
        small.wait_for_selector("#notation .finding-mark", timeout=120_000)
        small.locator(".message-music svg").last.wait_for(timeout=60_000)
        assert small.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        for control in (
            "#dropzone",
            "#play",
            "#downloads button >> nth=2",
            "#message",
            "#send",
            "#theme",
            "#help-open",
            "#findings li button >> nth=0",
        ):
            box = small.locator(control).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], control
        assert serious_violations(small) == []
        small.screenshot(path=shots / "10-phone.png")
        if docs:
            small.screenshot(path=REPO / "docs" / "studio-phone.png")
    finally:
        phone.close()


def _luminance(css_colour: str) -> float:
    """Relative luminance (WCAG) of an ``rgb(r, g, b)`` colour."""
    channels = [int(c) / 255 for c in re.findall(r"\d+", css_colour)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_apply_fix_corrects_the_score_and_offers_it(visit: dict[str, Any], tmp_path: Path) -> None:
    """The critic's verified fix for the chorale's finding, applied from the keyboard: the
    corrected score replaces the upload, the critic finds that fault gone, and the MIDI the
    learner takes home has the changed note."""
    page = visit["page"]
    offer = page.locator("#findings .fix button").first
    index = int(offer.get_attribute("data-finding") or "0")
    before = page.locator("#findings li button[data-bar]").nth(index)
    rule, bar = before.locator(".rule").inner_text(), before.get_attribute("data-bar")
    shown = page.evaluate(
        "async () => (await (await fetch('/sessions/' + location.hash.slice(3) + '/score'))"
        ".json()).analysis.findings"
    )
    change = shown[index]["suggestion"]["changes"][0]
    offer.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('#score-meta').textContent.endsWith('-fixed.musicxml')",
        timeout=120_000,
    )
    assert page.locator("#score-meta").inner_text() == "bwv66_6-fixed.musicxml"
    assert page.locator("#pickup-note").is_hidden()  # MusicXML marks its own bars
    assert "Fixed." in page.locator("#score-status").inner_text()
    left = [
        (b.locator(".rule").inner_text(), b.get_attribute("data-bar"))
        for b in page.locator("#findings li button[data-bar]").all()
    ]
    assert (rule, bar) not in left
    midi = save_download(
        page, lambda: page.click('#downloads button[data-format="midi"]'), tmp_path
    )
    assert midi.name == "bwv66_6-fixed.mid"
    from music21 import converter, pitch

    part = converter.parse(str(midi)).parts[change["part"]].flatten()
    sounding = [n.pitch.midi for n in part.notes if abs(n.offset - change["offset_ql"]) < 1e-6]
    assert sounding == [pitch.Pitch(change["to"]).midi], (change, sounding)


def test_another_learner_cannot_open_the_lesson(
    visit: dict[str, Any], browser: Any, studio_url: str, shots: Path
) -> None:
    lesson_url = visit["page"].url
    assert "#s=" in lesson_url
    stranger = browser.new_context(viewport={"width": 1200, "height": 800})
    try:
        page = stranger.new_page()
        page.goto(lesson_url)
        page.wait_for_selector("body[data-ready=true]", timeout=60_000)
        assert page.locator(".message").count() == 0
        assert page.locator("#sessions li").count() == 1  # only the new lesson made for them
        assert page.url != lesson_url
        assert page.locator("#score-body").is_hidden()
        page.screenshot(path=shots / "6-stranger.png", full_page=True)
    finally:
        stranger.close()


def test_mastery_is_plotted_over_time(
    studio_url: str, browser: Any, data_dir: Path, shots: Path
) -> None:
    """A learner who answered three interval exercises sees the curve of their estimate."""
    from etude.config import Settings
    from etude.server.config import LEARNER_COOKIE
    from etude.server.identity import learner_id
    from etude.tools.base import ToolRequest
    from etude.tools.lesson import lesson
    from tests.lesson_records import sqlite_records

    token = "mastery-curve-learner-token-0123456789"
    learner = learner_id(token)
    settings = Settings.from_env().with_overrides(data_dir=data_dir, learner=learner)
    # The real lesson tool writes to the server's own SQLite file, as a turn would.
    lesson(ToolRequest(question="Quiz me on intervals", learner=learner), settings)
    for _ in range(3):
        with sqlite_records(settings.sqlite_path) as records:
            opened = records.open_exercise(learner)
        assert opened is not None
        answer = "My answer: " + " ".join(opened[0].expected)
        lesson(ToolRequest(question=answer, learner=learner), settings)

    context = browser.new_context(viewport={"width": 1200, "height": 800})
    try:
        context.add_cookies([{"name": LEARNER_COOKIE, "value": token, "url": studio_url}])
        page = context.new_page()
        page.goto(studio_url)
        page.wait_for_selector("body[data-ready=true]", timeout=60_000)
        curve = page.locator("#mastery svg.curve").first
        curve.wait_for(timeout=60_000)
        assert "after each of 3 answers" in (curve.get_attribute("aria-label") or "")
        points = (curve.locator("polyline").get_attribute("points") or "").split()
        heights = [float(point.split(",")[1]) for point in points]
        assert len(heights) == 3 and heights == sorted(heights, reverse=True)  # rising mastery
        page.locator("#mastery-panel").screenshot(path=shots / "7-mastery.png")
    finally:
        context.close()


LABEL_OVERLAPS = """(root) => {
  // Every piece of text under root as the eye sees it: the boxes of its text node's line
  // fragments, cut to any box on the way up that clips (an ellipsis hides the rest).
  const panel = document.querySelector(root);
  const walker = document.createTreeWalker(panel, NodeFilter.SHOW_TEXT);
  const labels = [];
  const outside = [];
  const spills = [];
  const edge = panel.getBoundingClientRect();
  let index = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const owner = node.parentElement;
    index += 1;
    if (!text || !owner.checkVisibility()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const fragment of range.getClientRects()) {
      let box = { left: fragment.left, top: fragment.top, right: fragment.right,
                  bottom: fragment.bottom };
      for (let up = owner; up && up !== panel.parentElement; up = up.parentElement) {
        const style = getComputedStyle(up);
        if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
        const clip = up.getBoundingClientRect();
        box = { left: Math.max(box.left, clip.left), top: Math.max(box.top, clip.top),
                right: Math.min(box.right, clip.right), bottom: Math.min(box.bottom, clip.bottom) };
      }
      if (box.right - box.left < 1 || box.bottom - box.top < 1) continue;  // clipped away
      labels.push({ text, box, node: index });
      if (box.left < edge.left - 0.5 || box.right > edge.right + 0.5) outside.push(text);
      // Text wider than its own box (a grid cell, a block) lies over its neighbour's place.
      const own = owner.getBoundingClientRect();
      if (getComputedStyle(owner).display !== 'inline'
          && (box.left < own.left - 0.5 || box.right > own.right + 0.5)) spills.push(text);
    }
  }
  const overlaps = [];
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      if (labels[i].node === labels[j].node) continue;  // one label's own line fragments
      const a = labels[i].box, b = labels[j].box;
      const wide = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const tall = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (wide > 0.5 && tall > 0.5) overlaps.push(`${labels[i].text} / ${labels[j].text}`);
    }
  }
  return { labels: labels.length, overlaps, outside, spills };
}"""
"""The text labels under a selector that intersect each other (more than half a pixel both
ways), stick out of that box sideways, or are wider than their own box (a grid cell), measured
on the laid-out page."""

BROKEN_PROGRESS_STYLES = (
    ".progress-list li > span:nth-child(3)"
    " { grid-area: 1 / 1 !important; text-align: left !important; }",
    ".progress-list li { margin: -0.9rem 0 !important; }",
    ".progress-list li { grid-template-columns: 5.5rem 1fr 1.6rem !important; }"
    " .progress-list li > * { grid-area: auto !important; }",
)
"""Layouts that draw labels over each other (a percentage over its skill's name, the rows over
each other) or spill them (the old three columns, whose "98%" stuck out of its own): the check
must report each, so that it can fail."""


ABOUT_THE_LEARNER = {
    "name": "Margarethe",
    "instruments": ["violoncello", "piano"],
    "level": "intermediate",
    "goals": ["harmonise a chorale melody in four parts", "modulate to the relative major"],
}
"""A learner's profile (``LearnerProfile``) with long words, as the intake node keeps it."""
TOOL_TURNS = {"critic": 14, "theory": 11, "lesson": 9, "encoder": 3, "conversation": 2}
"""Turns per tool of a learner some forty turns in (the studio names the tools it knows and
shows a plug-in's own name)."""


def label_layout(page: Any) -> dict[str, Any]:
    return dict(page.evaluate(LABEL_OVERLAPS, "#profile"))


def seeded_learner(data_dir: Path, token: str, answers: int) -> None:
    """A learner who worked ``answers`` exercises with the real lesson tool (every fourth
    answered wrongly), as the server's own SQLite file records them."""
    from etude.config import Settings
    from etude.server.identity import learner_id
    from etude.store_layout import PROFILE_KEY, PROGRESS_KEY, profile_namespace
    from etude.tools.base import ToolRequest
    from etude.tools.lesson import lesson
    from tests.lesson_records import sqlite_records

    learner = learner_id(token)
    settings = Settings.from_env().with_overrides(data_dir=data_dir, learner=learner)
    with sqlite_records(settings.sqlite_path) as records:
        # What the graph's intake and remember nodes keep after some forty turns.
        store, namespace = records.store, profile_namespace(learner)
        store.put(namespace, PROFILE_KEY, ABOUT_THE_LEARNER)
        store.put(namespace, PROGRESS_KEY, TOOL_TURNS)
    lesson(ToolRequest(question="Quiz me on intervals", learner=learner), settings)
    for number in range(answers):
        with sqlite_records(settings.sqlite_path) as records:
            opened = records.open_exercise(learner)
        if opened is None:
            lesson(ToolRequest(question="Give me the next exercise", learner=learner), settings)
            continue
        right = " ".join(opened[0].expected) if number % 4 != 3 else "C"
        lesson(ToolRequest(question=f"My answer: {right}", learner=learner), settings)


def test_progress_labels_never_overlap(
    studio_url: str, browser: Any, data_dir: Path, shots: Path
) -> None:
    """A learner several skills in: no two labels of the profile and progress panel cross, at
    a desktop's and a phone's width, in light and dark; and the check does see a squeezed
    layout's overlaps."""
    from etude.server.config import LEARNER_COOKIE

    token = "overlap-check-learner-token-0123456789"
    seeded_learner(data_dir, token, answers=16)
    for name, viewport, phone in (
        ("desktop", {"width": 1440, "height": 1000}, False),
        ("phone", PHONE, True),
    ):
        for scheme in ("light", "dark"):
            context = browser.new_context(
                viewport=viewport, color_scheme=scheme, is_mobile=phone, has_touch=phone
            )
            try:
                context.add_cookies([{"name": LEARNER_COOKIE, "value": token, "url": studio_url}])
                page = context.new_page()
                page.goto(studio_url)
                page.wait_for_selector("body[data-ready=true]", timeout=60_000)
                page.locator("#mastery svg.curve").first.wait_for(timeout=60_000)
                assert page.get_attribute("#theme", "aria-pressed") == str(scheme == "dark").lower()
                titles = page.locator("#mastery li > span:first-child").all_inner_texts()
                assert "Modulation to a closely related key" in titles, titles
                layout = label_layout(page)
                page.locator("#profile").screenshot(path=shots / f"11-progress-{name}-{scheme}.png")
                assert layout["labels"] > 2 * len(titles)
                assert layout["overlaps"] == [], (name, scheme, layout)
                assert layout["outside"] == [], (name, scheme, layout)
                assert layout["spills"] == [], (name, scheme, layout)
                if scheme == "light":
                    for number, broken in enumerate(BROKEN_PROGRESS_STYLES):
                        tag = page.add_style_tag(content=broken)
                        seen = label_layout(page)
                        page.locator("#profile").screenshot(
                            path=shots / f"11-progress-{name}-broken-{number}.png"
                        )
                        assert seen["overlaps"] or seen["spills"], (name, broken, seen)
                        tag.evaluate("node => node.remove()")
                    assert label_layout(page) == layout
            finally:
                context.close()
