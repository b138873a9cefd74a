"""``emergesim view`` in a real browser, for every registered model: headless Chromium (Debian's,
driven by Playwright) loads the page with every request to another host refused, and a server
whose Solara would fetch a missing asset from a dead address; then it steps, plays, pauses, moves
a slider and resets, as a person would.

Skipped, saying what is missing, without Chromium, Playwright or the viz extra;
EMERGESIM_BROWSER_TESTS=required makes that a failure (CI). EMERGESIM_SCREENSHOTS=docs/images
also saves the README's screenshot there (view-flocking.png).
"""

import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from importlib.util import find_spec
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from emergesim.registry import available, card

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
MISSING = [
    what
    for what, found in (
        ("Chromium (apt-get install chromium)", CHROMIUM),
        ("Playwright (pip install playwright)", find_spec("playwright")),
        ("the viz extra (pip install 'emergesim[viz]')", find_spec("solara_assets")),
    )
    if not found
]
if MISSING:
    if os.environ.get("EMERGESIM_BROWSER_TESTS") == "required":
        pytest.fail(f"the browser tests need {', '.join(MISSING)}", pytrace=False)
    pytest.skip(f"needs {', '.join(MISSING)}", allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from emergesim.registry import get_model  # noqa: E402
from emergesim.view.live import inputs  # noqa: E402

expect.set_options(timeout=20_000)  # ms: a loaded machine draws slowly
LOADING = 120_000  # ms for a page's first picture: a cold numba cache compiles the kernels then
README_SHOT = "view-flocking.png"


@contextmanager
def serving(*args: str, log: Path):
    """``emergesim view ARGS`` on a free port, its address; stopped with Ctrl-C (SIGINT)."""
    with log.open("w") as stderr:
        server = subprocess.Popen(
            [sys.executable, "-m", "emergesim", "view", *args, "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env={**os.environ, "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/"},  # no CDN to fall to
        )
        try:
            ready, _, _ = select.select([server.stdout], [], [], 60)
            line = server.stdout.readline() if ready else ""
            found = re.search(r"http://\S+", line)
            assert found, f"no address printed: {line!r}, stderr: {log.read_text()}"
            yield found.group()
        finally:
            server.send_signal(signal.SIGINT)
            code = server.wait(timeout=30)
    assert (code, log.read_text()) == (130, "emergesim: interrupted\n")


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()


@contextmanager
def offline_page(browser, url: str):
    """A page of ``url`` that may reach this machine only; every other request, and every
    error answer, fails the test."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    elsewhere, errors = [], []

    def only_here(route):
        if urlsplit(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_here)
    page.on("response", lambda r: r.status >= 400 and errors.append(f"{r.status} {r.url}"))
    page.goto(url)
    yield page
    page.close()
    assert not elsewhere, f"the page asked other hosts: {elsewhere}"
    assert not errors, f"the server failed requests: {errors}"


def step_of(page) -> int:
    return int(page.locator(".emergesim-step").inner_text().split()[1])


def play(page, past: int) -> None:
    """Press play until the step shown passes ``past`` (or the model stops itself), then pause,
    and check that it stops."""
    page.get_by_role("button", name="▶").click()
    pause = page.get_by_role("button", name="❚❚")
    wait_until(lambda: step_of(page) > past or not pause.is_enabled(), f"play past {past}", 120)
    if pause.is_enabled():
        pause.click()
    expect(page.get_by_role("button", name="▶")).to_be_visible()
    wait_until(lambda: step_of(page) == settled(page), "stepping to stop after pause")


def settled(page) -> int:
    """The step shown half a second from now."""
    time.sleep(0.5)
    return step_of(page)


def this_run(page) -> dict[str, str]:
    text = page.locator(".emergesim-params").inner_text().removeprefix("This run: ")
    return dict(pair.split("=", 1) for pair in text.split(", "))


def wait_until(condition, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def slider_to_move(name: str) -> tuple[str, dict]:
    """The control parameter if a slider sets it, else the first parameter a slider sets."""
    cls = get_model(name)
    given = inputs(cls, cls.params.validate(dict((card(name).variants or [{}])[0])))
    sliders = {k: v for k, v in given.items() if v["type"].startswith("Slider")}
    chosen = cls.control if cls.control in sliders else next(iter(sliders))
    return chosen, sliders[chosen]


@pytest.mark.parametrize("name", available())
def test_the_page_steps_plays_and_restarts_with_a_new_value(name, browser, tmp_path):
    variant = (card(name).variants or [{}])[0]
    args = [f"-p{key}={value}" for key, value in variant.items()]
    with serving(name, *args, log=tmp_path / "stderr") as url, offline_page(browser, url) as page:
        step = page.locator(".emergesim-step")
        expect(step).to_have_text("step 0", timeout=LOADING)
        picture = page.locator(".emergesim-picture")
        first = picture.screenshot()

        page.get_by_role("button", name="Step").click()
        expect(step).not_to_have_text("step 0")
        stepped = step_of(page)
        wait_until(lambda: picture.screenshot() != first, "the picture to change")

        play(page, past=stepped)
        page.screenshot(path=tmp_path / f"{name}.png")
        shots = os.environ.get("EMERGESIM_SCREENSHOTS")
        if shots and name == "flocking":
            play(page, past=200)  # the birds have begun to flock
            page.screenshot(path=Path(shots) / README_SHOT)

        param, slider = slider_to_move(name)
        before = float(this_run(page)[param])
        thumb = page.locator(".v-input", has=page.get_by_text(slider["label"], exact=True))
        thumb.get_by_role("slider").focus()
        page.keyboard.press("ArrowLeft" if before >= slider["max"] else "ArrowRight")
        page.get_by_role("button", name="Reset").click()
        expect(step).to_have_text("step 0")
        wait_until(lambda: float(this_run(page)[param]) != before, f"{param} to change")
        assert abs(float(this_run(page)[param]) - before) <= 2 * slider["step"]
        page.get_by_role("button", name="▶").click()  # Ctrl-C stops the server as it plays


def test_the_index_links_every_model(browser, tmp_path):
    with serving(log=tmp_path / "stderr") as url, offline_page(browser, url) as page:
        for name in available():
            expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
        page.get_by_role("link", name=available()[0], exact=True).click()
        expect(page.locator(".emergesim-step")).to_have_text("step 0", timeout=LOADING)
