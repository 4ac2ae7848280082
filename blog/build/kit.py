"""``invoke kit``: only the kit PDF, with the kit source and cache the settings name."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from blog.build.errors import BuildError
from blog.build.problems import Context, from_exception
from blog.build.settings import plugin_module, read_settings


def build_kit(settings_file: Path, *, force: bool = False,
              say: Callable[[str], None] = print) -> Any:
    """Build (or find in its cache) the kit of ``settings_file``; raise BuildError."""
    settings = read_settings(settings_file)
    kit_pdf = plugin_module("kit_pdf", settings)
    root, source, cache = kit_pdf.kit_paths(settings)
    try:
        site = kit_pdf.SiteInfo.from_project(root, fallback=settings)
        return kit_pdf.build_kit(source, cache, force=force, progress=lambda m: say(f"· {m}"),
                                 site=site)
    except Exception as exc:
        raise BuildError(from_exception(Context(root, root / "content"), exc)) from None
