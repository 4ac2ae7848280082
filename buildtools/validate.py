"""Deprecated: the checkers moved to the :mod:`buildtools.checks` package.

Kept only until ``benchmarks/bench_pageweight.py`` imports
``buildtools.checks.budget`` directly; new code must not import this module.
"""

from buildtools.checks.browser import chromium, launch_chromium, serve
from buildtools.checks.budget import PAGE_BUDGETS, PageLoad, page_loads, page_weight
from buildtools.checks.nu import html_pages

__all__ = ["PAGE_BUDGETS", "PageLoad", "chromium", "html_pages", "launch_chromium",
           "page_loads", "page_weight", "serve"]
