"""What every browser test checks on a portal page, at desk and phone width:

- axe-core finds no serious or critical accessibility violation;
- nothing is wider than the window (no horizontal scrolling at 390 px);
- a screenshot is written to var/screenshots/<name>-<lang>-<width>.png for a reviewer.
"""

import re

from axe_playwright_python.sync_playwright import Axe

from tests.services import ROOT

SCREENSHOTS = ROOT / "var" / "screenshots"
WIDTHS = (1280, 390)
BLOCKING = {"serious", "critical"}
_axe = Axe()


def _violations(page) -> list[str]:
    results = _axe.run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in results.response["violations"]
        if v.get("impact") in BLOCKING
    ]


def audit(page, name: str, *, widths=WIDTHS) -> None:
    """Check the page as it is now, at each width, and leave it at the first width."""
    language = page.evaluate("document.documentElement.lang") or "en"
    height = page.viewport_size["height"] if page.viewport_size else 900
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for width in widths:
        page.set_viewport_size({"width": width, "height": height})
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            problems.append(f"{width}px: {overflow}px of horizontal overflow")
        problems += [f"{width}px: {v}" for v in _violations(page)]
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        page.screenshot(path=SCREENSHOTS / f"{slug}-{language}-{width}.png", full_page=True)
    page.set_viewport_size({"width": widths[0], "height": height})
    assert problems == [], f"{name} ({language}): " + " | ".join(problems)


def log_in(page, username: str, password: str = "pass-word-123") -> None:
    """Log in through the real login form, as a person would."""
    page.goto("/accounts/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")


def switch_language(page, language: str) -> None:
    """Press the language button in the header (it shows the other language)."""
    label = {"en": "English", "ja": "日本語"}[language]
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
    page.click(f"header button:has-text('{label}')")
    page.wait_for_load_state()
