"""Real Chromium and a static server on 127.0.0.1 for tests: the very ones ``invoke check``
uses (Debian's /usr/bin/chromium driven by Playwright; a server that can add response
headers such as the production CSP)."""

from buildtools.checks.browser import launch_chromium
from buildtools.checks.browser import serve as serve_directory

__all__ = ["launch_chromium", "serve_directory"]
