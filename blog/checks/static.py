"""Static files nothing points at: a production build leaves them out, the check names them.

Everything under ``STATIC_PATHS`` (``content/images``, ``content/extra``) used to be
published whether a page linked it or not. ``plugins/static_guard`` prunes such files
from production builds (``STATIC_PRUNE_UNREFERENCED`` in ``publishconf.py``); this
check reports them on any build, so the author links, deletes or lists them
(``STATIC_KEEP``) knowingly. The finder is the plugin's own
(``static_guard.references``): one definition of "referenced".
"""

from __future__ import annotations

from pathlib import Path

from blog.checks.findings import Finding

RULE = "static-unreferenced"


def _settings(content: Path) -> dict:
    from blog.build.settings import read_settings

    root = content.resolve().parent
    settings_file = root / "publishconf.py"
    if not settings_file.is_file():
        settings_file = root / "pelicanconf.py"
    return read_settings(settings_file, {"PATH": str(content.resolve())})


def check_unreferenced_static(site: Path, content: Path | None) -> list[Finding]:
    """One :class:`Finding` per static file of ``content`` published in ``site`` that no
    HTML, CSS, JS, feed, ``robots.txt`` or ``_redirects`` points at."""
    if content is None or not content.is_dir():
        return []
    from blog.build.settings import plugin_module

    settings = _settings(content)
    references = plugin_module("static_guard", settings).references
    orphans = references.unreferenced(Path(site), references.static_candidates(settings),
                                      settings.get("STATIC_KEEP") or ())
    return [
        Finding(out, None, RULE,
                f"nessuna pagina collega content/{source}: la build di produzione non lo "
                "pubblica (collegalo, cancellalo o elencalo in STATIC_KEEP)")
        for out, source in orphans.items()
    ]
