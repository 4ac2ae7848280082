"""Compatibility wrapper: ``build_site`` is now :func:`buildtools.engine.build`.

Kept only until its last callers (``buildtools.publish``) call the engine directly;
new code uses ``buildtools.engine``. Production settings (caches, drafts, dates) live
in ``publishconf.py`` itself, so ``production`` no longer changes anything here.
"""

from __future__ import annotations

from pathlib import Path

from buildtools.engine import BuildError, build
from buildtools.report import Steps


class SiteBuildFailed(Exception):
    """A step failed; the output folder is as it was. The message is Italian."""


def build_site(
    settings_file: Path,
    output: Path,
    *,
    production: bool = False,
    extra_post_steps: tuple = (),
    steps: Steps | None = None,
) -> str:
    """Build kit, site and search index into ``output``; return the summary line."""
    del production  # the settings file decides
    try:
        result = build(settings_file, output=output, post_steps=extra_post_steps, steps=steps)
    except BuildError as exc:
        raise SiteBuildFailed(str(exc)) from None
    return result.summary()
