"""``invoke check``: is a built site fit to publish?

One module per job, every finding a :class:`Finding` (page, line, rule, message):

- :mod:`.site`: the site's pages parsed once, URL resolution shared by every check;
- :mod:`.links`: dead links, anchors and stylesheet ``url()``s;
- :mod:`.drafts`: no draft in the public site;
- :mod:`.csp`: what the production Content-Security-Policy would block;
- :mod:`.static`: static files of ``content/`` that nothing links;
- :mod:`.budget`: page weight and ``PAGE_BUDGETS``, the one source of the budgets;
- :mod:`.nu`: HTML errors (Nu Html Checker);
- :mod:`.a11y`: accessibility (axe-core in Chromium, light and dark);
- :mod:`.browser`: Debian's Chromium and the local server the browser checks use;
- :mod:`.memo`: pages that passed, keyed on page bytes and checker versions;
- :mod:`.runner`: :func:`run_checks`, cheapest first; :mod:`.problem`: the report.
"""

from blog.checks.a11y import LISTING_DIRS, axe_pages, axe_violations
from blog.checks.budget import PAGE_BUDGETS, check_budgets, page_loads, page_weight
from blog.checks.csp import check_csp
from blog.checks.drafts import Draft, check_drafts, find_drafts
from blog.checks.findings import CheckReport, CheckResult, Finding, group_findings
from blog.checks.links import check_links
from blog.checks.memo import CheckMemo, checker_fingerprint
from blog.checks.nu import html_errors, html_pages
from blog.checks.runner import run_checks
from blog.checks.site import SiteIndex

__all__ = [
    "LISTING_DIRS", "PAGE_BUDGETS", "CheckMemo", "CheckReport", "CheckResult", "Draft",
    "Finding", "SiteIndex", "axe_pages", "axe_violations", "check_budgets", "check_csp",
    "check_drafts", "check_links", "checker_fingerprint", "find_drafts", "group_findings",
    "html_errors", "html_pages", "page_loads", "page_weight", "run_checks",
]
