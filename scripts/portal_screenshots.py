"""Screenshots of the Search and Document pages, and the time from app start to the first answer.

Uses the real model on the sample corpus. Builds the index first if the data folder has none
(that build is not part of the timing). Each run starts `streamlit run hub_app.py` afresh, loads a
search URL in headless Chromium and times how long until the results are drawn.

    python scripts/portal_screenshots.py                  # screenshots into docs/screenshots/
    python scripts/portal_screenshots.py --starts 3       # also time three fresh starts
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote_plus, urlencode

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
QUERY = "can I put client information into a chat assistant?"
ROUND_TRIP_QUERIES = ["privacy impact assessment", "procuring an AI tool", "te reo translation", "AI champions", "bias"]
IDLE = (
    "() => { const app = document.querySelector('[data-test-script-state]');"
    " return app && app.getAttribute('data-test-script-state') === 'notRunning'; }"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_index(env: dict[str, str]) -> None:
    if (Path(env["HUB_DATA_DIR"]) / "LIVE").exists():
        return
    print("building the index first (not timed) ...", flush=True)
    subprocess.run([sys.executable, "-m", "ingest", "--quiet"], cwd=ROOT, env=env, check=False)


def start_app(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", "hub_app.py", "--server.headless", "true"]
    command += ["--server.port", str(port), "--server.address", "127.0.0.1"]
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, f"http://127.0.0.1:{port}"


def wait_healthy(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"the app did not answer at {url} within {timeout:.0f}s")


def search_round_trips(page: object) -> list[float]:
    """Seconds from pressing Enter to the new results being drawn, for a few searches."""
    times = []
    for query in ROUND_TRIP_QUERIES:
        box = page.get_by_role("textbox", name="Search guidance, standards, case studies and tools")  # type: ignore[attr-defined]
        box.fill(query)
        started = time.perf_counter()
        box.press("Enter")
        page.wait_for_url(f"**q={quote_plus(query)}*")  # type: ignore[attr-defined]
        page.wait_for_function(IDLE)  # type: ignore[attr-defined]
        times.append(time.perf_counter() - started)
    return times


def one_start(env: dict[str, str], browser: object, shots: Path | None) -> tuple[float, float, list[float]]:
    """Start the app and answer a deep-linked search; returns (seconds to healthy, seconds to the
    first answer, then the round trips of a few more searches)."""
    started = time.perf_counter()
    proc, url = start_app(env)
    try:
        wait_healthy(url)
        healthy = time.perf_counter() - started
        page = browser.new_page(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
        page.set_default_timeout(120_000)
        page.goto(f"{url}/?{urlencode({'q': QUERY})}")
        page.get_by_role("heading", name="Results", exact=True).wait_for()
        page.locator("article.hub-result").first.wait_for()
        answered = time.perf_counter() - started
        page.wait_for_function(IDLE)
        if shots:
            # Streamlit draws some widgets lazily; wait for the last filter before the picture.
            page.get_by_role("combobox", name="Published in").wait_for()
            page.wait_for_timeout(500)
            page.screenshot(path=str(shots / "search.png"))
        trips = search_round_trips(page)
        if shots:
            page.goto(f"{url}/?{urlencode({'q': QUERY})}")
            page.locator("article.hub-result").first.wait_for()
            page.wait_for_function(IDLE)
            page.locator("[data-testid='stMain'] [data-testid='stPageLink'] a").first.click()
            page.get_by_role("heading", name="Full text", exact=True).wait_for()
            page.wait_for_function(IDLE)
            page.wait_for_timeout(800)  # let the passage scroll into view
            page.screenshot(path=str(shots / "document.png"))
        page.close()
        return healthy, answered, trips
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default=str(ROOT / "data"), help="index folder (HUB_DATA_DIR)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"), help="where the PNGs go")
    parser.add_argument("--starts", type=int, default=1, help="fresh app starts to time")
    args = parser.parse_args()
    env = {**os.environ, "HUB_DATA_DIR": args.data_dir, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    env.pop("HUB_MODEL", None)  # the screenshots show the real model's results
    ensure_index(env)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # The first start also warms the OS file cache (model, index); it takes the screenshots.
        timings = [one_start(env, browser, out)]
        timings += [one_start(env, browser, None) for _ in range(args.starts)]
        browser.close()
    print(f"screenshots: {out / 'search.png'}, {out / 'document.png'}")
    warm = timings[1:] or timings
    print("app start to healthy (s):", ", ".join(f"{h:.1f}" for h, _, _ in timings))
    print("app start to first answered search (s):", ", ".join(f"{a:.1f}" for _, a, _ in timings))
    print(f"median over warm starts: {statistics.median(a for _, a, _ in warm):.1f} s")
    trips = [t for _, _, ts in timings for t in ts]
    print(f"search round trip in the browser, real model: median {statistics.median(trips) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
