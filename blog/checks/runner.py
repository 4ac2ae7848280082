"""Run every check on a built site, cheapest first, and collect a :class:`CheckReport`.

1. links and anchors (:mod:`.links`); 2. drafts (:mod:`.drafts`); 3. what the
production CSP would block (:mod:`.csp`); 4. static files nothing links
(:mod:`.static`); 5. page weight against ``PAGE_BUDGETS`` (:mod:`.budget`); 6. HTML
with the Nu Html Checker (:mod:`.nu`); 7. accessibility with axe-core, light and dark
(:mod:`.a11y`). With ``fail_fast`` the browser and vnu checks (5, 6, 7) are skipped once
a cheap one failed; with ``quick``, 6 and 7 are skipped on request.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path

from blog.checks.a11y import axe_pages, axe_violations
from blog.checks.browser import browser_view, chromium
from blog.checks.budget import check_budgets, representative_pages
from blog.checks.csp import check_csp
from blog.checks.drafts import check_drafts
from blog.checks.findings import CheckReport, CheckResult, Finding
from blog.checks.links import check_links
from blog.checks.memo import CheckMemo
from blog.checks.nu import html_errors
from blog.checks.site import SiteIndex
from blog.checks.static import check_unreferenced_static
from blog.paths import ROOT
from blog.report import plural

LINKS = "Link e ancore"
DRAFTS = "Bozze"
CSP = "Contenuti bloccati dalla CSP di produzione"
STATIC = "File statici non collegati"
WEIGHT = "Peso delle pagine"
NU = "HTML (Nu Html Checker)"
AXE = "Accessibilità (axe-core, chiaro e scuro)"

Check = Callable[[], list[Finding]]


def run_checks(
    site: Path,
    *,
    content: Path | None = ROOT / "content",
    siteurl: str | Sequence[str] = "",
    fail_fast: bool = False,
    quick: bool = False,
    memo: Path | None = None,
    browser: object | None = None,
    versions: Mapping[str, str] | None = None,
    say: Callable[[str], None] = print,
) -> CheckReport:
    """Run every check on ``site`` and return the report (printing one line per check).

    ``site`` may be a symlink (``output`` → a versioned build folder). With ``memo``
    (a JSON file), the slow checks skip pages that passed them before with the same
    bytes and the same checker versions (see :class:`CheckMemo`; ``versions``
    overrides the measured ones). ``browser``: a Playwright Chromium the caller
    already drives (else one is started for the weight and axe checks).
    """
    site = Path(site).resolve()
    report = CheckReport(site=site)
    if not (site / "index.html").is_file():
        report.results.append(CheckResult("sito", [Finding(
            str(site), None, "site", "non c’è index.html, il sito non è stato costruito")]))
        return report
    index = SiteIndex(site)
    report.pages = len(index.pages)
    notes: dict[str, str] = {LINKS: plural(report.pages, "pagina", "pagine")}

    def run(name: str, func: Check) -> None:
        say(f"· {name}…")
        began = time.perf_counter()
        try:
            problems = func()
        except ImportError as exc:
            problems = [Finding(name, None, "tool", f"strumento non disponibile: {exc}")]
        report.results.append(
            CheckResult(name, problems, time.perf_counter() - began, note=notes.pop(name, "")))

    run(LINKS, lambda: check_links(site, index, siteurl))
    run(DRAFTS, lambda: check_drafts(site, index, content, siteurl))
    run(CSP, lambda: check_csp(site, index, siteurl))
    run(STATIC, lambda: check_unreferenced_static(site, content))

    with browser_view(site, siteurl) as view, ExitStack() as stack:
        memory = CheckMemo(memo, view, versions)
        if memory.notice:
            say(memory.notice)
        shared: list[object] = [browser] if browser is not None else []

        def chrome() -> object:
            """One Chromium for the weight and axe checks, started on first use."""
            if not shared:
                shared.append(stack.enter_context(chromium()))
            return shared[0]

        def memoised(check: str, name: str, pages: list[str],
                     func: Callable[[list[str]], list[Finding]], folder: Path = view) -> Check:
            """``func`` on the pages whose bytes in ``folder`` (what the checker reads)
            or whose checker versions changed since they last passed."""
            def run_pending() -> list[Finding]:
                pending = memory.pending(check, folder, pages)
                unchanged = len(pages) - len(pending)
                if unchanged:
                    checked = plural(len(pending), "pagina controllata", "pagine controllate")
                    notes[name] = f"{checked}, {unchanged} già a posto e invariate"
                problems = func(sorted(pending)) if pending else []
                failing = {problem.page for problem in problems}
                memory.remember(check, {rel: key for rel, key in pending.items()
                                        if rel not in failing})
                return problems
            return run_pending

        view_index = index if view == site else SiteIndex(view)
        # (check, title, pages, checker, folder the checker reads, skipped by --quick)
        slow: list[tuple[str, str, list[str], Callable[[list[str]], list[Finding]], Path,
                         bool]] = [
            ("weight", WEIGHT, representative_pages(view, view_index),
             lambda pages: check_budgets(view, pages, browser=chrome()), view, False),
            ("nu", NU, sorted(index.pages), lambda pages: html_errors(site, pages), site, True),
            ("axe", AXE, axe_pages(index),
             lambda pages: axe_violations(view, pages=pages, browser=chrome()), view, True),
        ]
        for check, name, pages, func, folder, optional in slow:
            if quick and optional:
                report.results.append(
                    CheckResult(name, skipped="--quick", skipped_on_request=True))
            elif fail_fast and not report.ok:
                report.results.append(
                    CheckResult(name, skipped="i controlli precedenti sono falliti"))
            else:
                run(name, memoised(check, name, pages, func, folder))
    return report
