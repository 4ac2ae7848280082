"""Accessibility: axe-core (the copy bundled by ``axe-playwright-python``) in Debian's
Chromium, in the light and the dark colour scheme, one :class:`Finding` per rule and
element.

Every rule runs in the first scheme; in the others only the rules that read colours
(:data:`COLOUR_RULES`): the theme's dark mode changes colours and nothing else (its
``prefers-color-scheme`` block in ``site.css`` sets colour custom properties, which
``tests/test_theme_validate.py`` holds it to), so the other rules would find the same
problems again, at sixteen times the cost of the colour rules alone (20 pages: 44 s
against 2.7 s)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from blog.checks.browser import browser_or_new, local_headers, page_address, serve
from blog.checks.findings import Finding
from blog.checks.nu import html_pages
from blog.checks.site import SiteIndex

LISTING_DIRS = {"tag", "categoria", "categorie", "autore", "archivio", "pagina"}


def axe_version() -> str:
    """``axe v4.12.1``, from the first line of the bundled ``axe.min.js``."""
    try:
        import axe_playwright_python

        script = Path(axe_playwright_python.__file__).with_name("axe.min.js")
        with script.open(encoding="utf-8") as handle:
            first = handle.readline()
    except (ImportError, OSError) as exc:
        return f"axe non disponibile: {exc}"
    return first.strip(" /*!\n") or "axe senza versione"


def axe_pages(index: SiteIndex) -> list[str]:
    """Every article and page, and one page of each listing template.

    Listings (tags, categories, archive, pagination) are one template filled with
    titles and summaries; the author's Markdown only reaches articles and pages. A
    template is told by the first folder and the depth: ``tag/`` (every tag),
    ``tag/delega/`` (one tag), ``tag/delega/pagina/2/`` (its second page). Redirect
    pages (``<meta http-equiv="refresh">``) are left out: they leave before axe runs.
    """
    chosen, kinds = [], set()
    for rel in sorted(index.pages):
        if index.pages[rel].refresh:
            continue
        kind = template_of(rel)
        if kind is not None:
            if kind in kinds:
                continue
            kinds.add(kind)
        chosen.append(rel)
    return chosen


def template_of(rel: str) -> tuple[str, int, bool] | None:
    """The listing template a page is made from (None for articles and pages)."""
    first = rel.split("/")[0]
    if first in LISTING_DIRS or "/pagina/" in rel:
        return (first, rel.count("/"), "/pagina/" in rel)
    return None


def _problems(page: str, scheme: str, violations: Iterable[Mapping]) -> list[Finding]:
    problems = []
    for violation in violations:
        for node in violation.get("nodes", []):
            target = " ".join(str(t) for t in node.get("target", []))
            problems.append(Finding(
                page, None, str(violation.get("id", "axe")),
                f"{violation.get('id')} ({violation.get('impact')}): "
                f"{violation.get('help')} — {target}",
                variant=scheme))
    return problems


# Only the violations are needed: axe then skips describing every passing node.
AXE_RUN = "axe.run(document, {resultTypes: ['violations']}).then((r) => r.violations)"
# The rules whose verdict depends on the colours (those axe runs by default).
COLOUR_RULES = ("color-contrast", "link-in-text-block")
AXE_RUN_COLOURS = ("axe.run(document, {resultTypes: ['violations'], runOnly: "
                   f"{{type: 'rule', values: {list(COLOUR_RULES)!r}}}}})"
                   ".then((r) => r.violations)")


def axe_violations(
    site: Path,
    pages: list[str] | None = None,
    schemes: tuple[str, ...] = ("light", "dark"),
    browser: object | None = None,
) -> list[Finding]:
    """axe-core violations for each page and colour scheme.

    Each page loads once: axe comes with it (an init script of the context), runs, the
    colour scheme is switched (the theme's dark mode is CSS only, with no transitions)
    and axe runs its colour rules again (see the module's notes). Problems are listed
    scheme by scheme, page by page."""
    from axe_playwright_python.sync_playwright import Axe

    site = Path(site).resolve()
    pages = html_pages(site) if pages is None else pages
    found: dict[str, list[Finding]] = {scheme: [] for scheme in schemes}
    if not schemes:
        return []
    with serve(site, local_headers()) as base, browser_or_new(browser) as chrome:
        # axe is injected as a script: let it past the policy, the page keeps it.
        context = chrome.new_context(color_scheme=schemes[0], locale="it-IT",
                                     bypass_csp=True)
        context.add_init_script(script=Axe().axe_script)
        tab = context.new_page()
        for page in pages:
            tab.goto(page_address(base, page), wait_until="load")
            for number, scheme in enumerate(schemes):
                tab.emulate_media(color_scheme=scheme)
                run = AXE_RUN if number == 0 else AXE_RUN_COLOURS
                found[scheme] += _problems(page, scheme, tab.evaluate(run))
        context.close()
    return [problem for scheme in schemes for problem in found[scheme]]
