"""Deploy a finished site atomically: rsync releases behind a symlink, or a gh-pages push.

The three steps every target has, each sent to the target's method:

- :func:`preflight`, before anything is built, proves the target reachable and writable
  (rsync: writes and removes a probe file where the releases go; gh-pages: reads the
  remote and asks it to accept a push in ``--dry-run``);
- :func:`deploy` sends the site (nothing, when the live one has the very same files);
- :func:`rollback` puts the newest older release that differs from the live one back.

Which target and its address: :mod:`.target`; rsync releases: :mod:`.releases`;
the gh-pages branch: :mod:`.gh_pages`; the exception: :mod:`.errors`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from blog.paths import ROOT
from blog.publish.gh_pages import deploy_gh_pages, preflight_gh_pages, rollback_gh_pages
from blog.publish.releases import deploy_rsync, preflight_rsync, rollback_rsync
from blog.publish.target import DeployConfig, DeployResult


def preflight(config: DeployConfig, root: Path = ROOT) -> str:
    """Check the target before any build; return a short Italian line, or raise."""
    if config.method == "gh-pages":
        return preflight_gh_pages(config, root)
    return preflight_rsync(config)


def deploy(site: Path, config: DeployConfig, settings: Mapping[str, Any],
           say: Callable[[str], None] = print) -> DeployResult:
    """Send ``site`` to the configured target."""
    if config.method == "gh-pages":
        return deploy_gh_pages(site, config, settings, say=say)
    return deploy_rsync(site, config, say=say)


def rollback(config: DeployConfig, settings: Mapping[str, Any]) -> DeployResult:
    """Put the newest older release that differs from the live one back: one symlink
    switch or one gh-pages commit (:class:`DeployError` when there is none)."""
    if config.method == "gh-pages":
        return rollback_gh_pages(config, settings)
    return rollback_rsync(config)
