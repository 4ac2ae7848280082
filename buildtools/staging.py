"""Compatibility wrapper: ``staged_build`` is now :class:`buildtools.engine.Engine`.

Kept only until ``buildtools.devserver`` calls the engine directly. ``env`` is read
for one thing: ``DELEGA_SHOW_DRAFTS=1`` means a drafts preview (``Engine(drafts=True)``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from buildtools.engine import BuildError, Engine


class BuildFailed(Exception):
    """Pelican (or a post-processing step) failed; the previous output is untouched."""


@dataclass(frozen=True)
class BuildSummary:
    output: Path
    html_pages: int
    files: int
    seconds: float

    def line(self, prefix: str = "") -> str:
        """``Sito pronto in output/: 39 pagine HTML, kit 14 pagine 167 kB, 1,0 s``."""
        from buildtools.report import site_summary

        label = prefix or f"Sito pronto in {self.output.name}/"
        return site_summary(label, self.output, self.seconds)


def staged_build(
    settings: Path,
    output: Path,
    post_steps: Sequence[Callable[[Path], None]] = (),
    extra_args: Sequence[str] = (),
    env: Mapping[str, str | None] | None = None,
) -> BuildSummary:
    """Build into a new version of ``output`` with ``post_steps`` (no Pagefind of its own)."""
    del extra_args
    drafts = (env or {}).get("DELEGA_SHOW_DRAFTS") == "1"
    try:
        result = Engine(settings, output=output, drafts=drafts).build(
            search=False, post_steps=post_steps)
    except BuildError as exc:
        raise BuildFailed(str(exc)) from None
    files = [p for p in output.rglob("*") if p.is_file()]
    return BuildSummary(output=output, html_pages=result.pages, files=len(files),
                        seconds=result.seconds)
