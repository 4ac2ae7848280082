"""``invoke publish``: production build, checks, precompression, atomic deploy.

1. build kit, site and search index with ``publishconf.py`` into a fresh folder
   (``.cache/publish/sito``; see ``buildtools.sitebuild`` for drafts, dates and caches),
   and write ``_headers``;
2. run every check (``buildtools.checks``): one failure stops here, the target untouched;
   (a site whose fingerprint already passed them all is not checked again);
3. write ``.gz`` and ``.br`` twins;
4. deploy (``buildtools.deploy``): rsync release + symlink switch, or a gh-pages push.

With ``dry_run`` the last step is skipped and the ready site stays in the folder.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from buildtools import deploy as deploy_mod
from buildtools.checks import CheckReport, run_checks
from buildtools.headers import write_headers_file
from buildtools.precompress import CompressionStats, candidates, precompress_site
from buildtools.report import Steps, site_summary
from buildtools.sitebuild import SiteBuildFailed, build_site

ROOT = Path(__file__).resolve().parent.parent
PUBLISH_DIR = ROOT / ".cache" / "publish" / "sito"
# Fingerprint of the last production site that passed every check: publishing the
# very same bytes again (a second target, a retry after a network error) skips them.
CHECKED_FILE = ROOT / ".cache" / "publish" / "controlli-superati.txt"
# Pages of production builds that passed the slow checks, by content.
CHECK_MEMO = ROOT / ".cache" / "controlli" / "memo-produzione.json"


class PublishFailed(Exception):
    """Publishing stopped; the message (Italian) says why. The target is untouched."""


@dataclass
class PublishResult:
    """What happened, for the final summary line."""

    site: Path
    summary: str
    checks: CheckReport | None = None
    compression: CompressionStats | None = None
    deployed: deploy_mod.DeployResult | None = None


def publish(
    settings_file: Path = ROOT / "publishconf.py",
    *,
    dry_run: bool = False,
    output: Path = PUBLISH_DIR,
    say: Callable[[str], None] | None = None,
) -> PublishResult:
    """Run the whole pipeline; raise :class:`PublishFailed` or ``DeployError`` on failure."""
    settings = deploy_mod.read_settings(settings_file)
    config = None if dry_run else deploy_mod.load_config(settings)
    steps = Steps(total=5 if dry_run else 6)
    tell = say or steps.say
    target = config.describe() if config else "nessuna (prova generale)"
    tell(f"Pubblicazione con {settings_file.name} verso: {target}")

    try:
        build_site(settings_file, output, production=True,
                   extra_post_steps=(write_headers_file,), steps=steps)
    except SiteBuildFailed as exc:
        raise PublishFailed(f"La build di produzione è fallita: {exc}") from None

    with steps.step("Controlli del sito"):
        fingerprint = site_fingerprint(output)
        if _already_checked(fingerprint):
            report = CheckReport(site=output, pages=sum(1 for _ in output.rglob("*.html")))
            tell("      ✓ questo stesso sito (byte per byte) ha già superato tutti i controlli: "
                 "non li ripeto")
        else:
            report = run_checks(output, siteurl=str(settings.get("SITEURL", "")),
                                fail_fast=True, memo=CHECK_MEMO,
                                say=lambda line: tell(f"      {line}"))
            tell(_indent(report.text()))
            if report.ok:
                _remember_checked(fingerprint)
    if not report.ok:
        where = f"{config.describe()} non è stato toccato" if config else "nulla è stato pubblicato"
        raise PublishFailed(f"{report.summary(steps.elapsed)}.\nPubblicazione annullata: {where}.")

    with steps.step("Compressione gzip e brotli"):
        counter = steps.counter("file", len(candidates(output)))
        stats = precompress_site(output, on_file=counter.advance)
        counter.close()
        tell(f"      {stats.line()}")

    result = PublishResult(site=output, summary="", checks=report, compression=stats)
    if config is None:
        result.summary = site_summary(
            f"Prova generale riuscita, sito pronto in {_rel(output)} (non pubblicato)",
            output, steps.elapsed)
        return result

    with steps.step(f"Invio a {config.describe()}"):
        result.deployed = deploy_mod.deploy(output, config, settings, say=tell)
    result.summary = site_summary(
        f"Pubblicato su {result.deployed.where}", output, steps.elapsed,
        extra=result.deployed.detail)
    return result


def site_fingerprint(site: Path) -> str:
    """SHA-256 over every file of ``site`` and over the checkers' own code."""
    digest = hashlib.sha256()
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        digest.update(path.relative_to(site).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for module in ("checks.py", "validate.py"):
        checker = ROOT / "buildtools" / module
        if checker.is_file():
            digest.update(hashlib.sha256(checker.read_bytes()).digest())
    return digest.hexdigest()


def _already_checked(fingerprint: str) -> bool:
    try:
        return CHECKED_FILE.read_text(encoding="utf-8").split()[0] == fingerprint
    except (OSError, IndexError):
        return False


def _remember_checked(fingerprint: str) -> None:
    CHECKED_FILE.parent.mkdir(parents=True, exist_ok=True)
    CHECKED_FILE.write_text(fingerprint + "\n", encoding="utf-8")


def _rel(path: Path) -> str:
    try:
        return f"{path.relative_to(ROOT)}/"
    except ValueError:
        return f"{path}/"


def _indent(text: str) -> str:
    return "\n".join(f"      {line}" for line in text.splitlines())

