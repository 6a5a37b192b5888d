"""A scripted reading session on the sample corpus, then a screenshot of the Search insights page.

    python scripts/insights_session.py [--data-dir /tmp/insights-session] [--out docs/screenshots]

1. The sample corpus is indexed with the real model into --data-dir (once; later runs reuse it).
2. A session of searches runs against a Hub with the analytics recorder as its observer, as the
   portal runs it: every query of the development sets (tests/golden/dev_*.yaml, answerable and
   not), the commonest ones several times and in other spellings, and a few with personal details
   typed in. The searches are spread over the last six weeks (the recorder's clock is set to each
   day in turn) so the weekly trend has weeks. After an answered search the reader opens one of
   the first results, or none; some give "Was this helpful?" feedback, a few with a comment.
   Choices come from a seeded random generator, so every run records the same session.
3. The app is started with `streamlit run` as a local editor (HUB_LOCAL_EDITOR=1), the Search
   insights page opened in headless Chromium and saved as search_insights.png.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from portal_screenshots import CHROMIUM, CHROMIUM_ARGS, IDLE, ensure_index, start_app, wait_healthy  # noqa: E402

from index import Hub, Recorder, store_path  # noqa: E402
from ingest.settings import Settings  # noqa: E402

GOLDEN = ROOT / "tests" / "golden"
WEEKS = 6
SEED = 17
# Typed by readers who did not think twice; the analytics keep them redacted.
PERSONAL = (
    "my IRD number is 049-091-850 can an AI tool check my tax code",
    "patient ZZZ0016 triage chatbot",
    "email jane.citizen@example.co.nz about the chatbot trial",
    "call 021 555 0199 about AI procurement",
)
# The same missing topic asked in several ways: Search insights groups them as one content gap.
GAP_VARIANTS = (
    "annual leave entitlement",
    "annual leave entitlements after five years",
    "annual leave entitlement for part-time staff",
    "parking ticket outside the office",
    "pay a parking ticket",
)
COMMENTS_UNHELPFUL = (
    "Did not say who signs it off.",
    "Too long, I needed a checklist.",
    "Out of date: the process changed this year. Ring me on 04 123 4567.",
    "Nothing about te reo Māori.",
)
COMMENTS_HELPFUL = ("Exactly what I needed.", "", "Clear steps, thanks.")


def dev_queries(names: str = "dev_*.yaml") -> list[str]:
    found: list[str] = []
    for path in sorted(GOLDEN.glob(names)):
        found += [entry["query"] for entry in yaml.safe_load(path.read_text(encoding="utf-8"))]
    return found


def session_queries(rng: random.Random) -> list[str]:
    """The session's searches in order: every development query, popular answerable ones again."""
    queries = dev_queries()
    popular = rng.sample(dev_queries("dev_hard.yaml") + dev_queries("dev_sample.yaml"), 12)
    again = [q for q in popular for _ in range(rng.randint(1, 4))]
    again += [q.lower().rstrip("?") for q in popular[:5]]
    session = queries + again + list(PERSONAL) + list(GAP_VARIANTS)
    rng.shuffle(session)
    return session


def run_session(settings: Settings) -> int:
    """Record the session into the data folder's analytics store; returns the searches made."""
    path = store_path(settings)
    for old in path.parent.glob(f"{path.name}*"):
        old.unlink()
    rng = random.Random(SEED)
    today = dt.datetime.now(dt.UTC).date()
    day = [today]
    recorder = Recorder(path, settings.analytics_days, today=lambda: day[0])
    hub = Hub(settings, observer=recorder)
    queries = session_queries(rng)
    start = today - dt.timedelta(weeks=WEEKS)
    for n, query in enumerate(queries):
        # Busier towards the end, as a new service is found by more people.
        day[0] = start + dt.timedelta(days=int(WEEKS * 7 * (n / len(queries)) ** 0.7))
        results = hub.search_page(query, limit=20).results
        if results.no_good_match or not results.hits or rng.random() < 0.22:
            continue
        rank = rng.choices((1, 2, 3, 4, 5), weights=(62, 18, 10, 6, 4))[0]
        if rank > len(results.hits):
            continue
        doc_id = results.hits[rank - 1].doc_id
        recorder.opened(doc_id, rank, query)
        answer = rng.random()
        if answer < 0.10:
            recorder.feedback(doc_id, False, rng.choice(COMMENTS_UNHELPFUL) if rng.random() < 0.7 else "", query)
        elif answer < 0.22:
            recorder.feedback(doc_id, True, rng.choice(COMMENTS_HELPFUL), query)
    for doc_id in ("guidance/ai-glossary.txt",):  # opened from the Library, not from a search
        recorder.opened(doc_id, None)
    if not recorder.flush(120):
        raise SystemExit(f"the session could not be written: {recorder.health()}")
    return len(queries)


def screenshot(env: dict[str, str], out: Path) -> None:
    from playwright.sync_api import sync_playwright

    proc, url = start_app(env)
    try:
        wait_healthy(url)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(180_000)
            page.goto(f"{url}/Search_insights")
            page.get_by_role("heading", name="Documents past their review date").wait_for()
            page.wait_for_function(IDLE)
            height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
            page.set_viewport_size({"width": 1400, "height": min(int(height) + 80, 16000)})
            page.wait_for_timeout(1500)  # charts redraw for the new size
            page.screenshot(path=str(out / "search_insights.png"))
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default="/tmp/insights-session", help="index folder (HUB_DATA_DIR)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"), help="where the PNG goes")
    args = parser.parse_args()
    env = {**os.environ, "HUB_DATA_DIR": args.data_dir, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    for name in ("HUB_MODEL", "HUB_ANALYTICS"):
        env.pop(name, None)  # the real model, analytics on
    env["HUB_CORPUS_DIR"] = str(ROOT / "corpus")
    env["HUB_LOCAL_EDITOR"] = "1"
    ensure_index(env)
    settings = Settings.from_env(env)
    searches = run_session(settings)
    print(f"recorded a session of {searches} searches into {store_path(settings)}", flush=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    screenshot(env, out)
    print(f"screenshot: {out / 'search_insights.png'}")


if __name__ == "__main__":
    main()
