"""Reading a settings file the way Pelican does, and importing a local plugin by name."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

SETTINGS_MODULES = ("pelicanconf", "publishconf")


def read_settings(settings_file: Path, override: dict[str, Any] | None = None) -> dict[str, Any]:
    """Pelican's settings from ``settings_file`` (with Pelican's defaults, absolute paths)."""
    from pelican.settings import read_settings as pelican_read_settings

    for name in {*SETTINGS_MODULES, settings_file.stem}:
        sys.modules.pop(name, None)  # re-read: a long-running process sees edits
    return pelican_read_settings(str(settings_file), override=override or {})


def settings_file_values(settings_file: Path) -> dict[str, Any]:
    """The upper-case names a settings file itself sets (``DEPLOY``, ``SITEURL``,
    ``DEFAULT_CATEGORY``…), without Pelican's defaults or path resolution: unlike
    :func:`read_settings`, nothing of the build's environment is added."""
    from pelican.settings import get_settings_from_file

    return dict(get_settings_from_file(str(settings_file)))


def plugin_module(name: str, settings: dict[str, Any]) -> Any:
    """A local plugin from the settings' ``PLUGIN_PATHS``, as the same module object
    Pelican uses when it loads the plugin (one entry in ``sys.modules`` by name)."""
    from pelican_adapter.local_plugins import import_plugin

    return import_plugin(name, settings.get("PLUGIN_PATHS", []))


def local_plugin(name: str, settings_file: Path | None = None) -> Any:
    """``plugin_module`` with the development settings' ``PLUGIN_PATHS`` (scripts, tests)."""
    from blog.paths import DEV_SETTINGS

    return plugin_module(name, read_settings(settings_file or DEV_SETTINGS))
