"""``invoke publish``: production build, checks, precompression, atomic deploy.

0. before anything is built: refuse when the sources that reach the site (``content/``,
   ``theme/``, ``kit/``, ``plugins/``, the settings) have uncommitted or untracked files,
   naming them (``allow_dirty`` overrides, loudly; ``blog.publish.worktree``), and prove
   the target reachable and writable (``deploy.preflight``);
1. build kit, site and search index with ``publishconf.py`` in the working folder into
   ``.cache/publish/sito`` (``blog.build.engine``; its own warm caches), and write
   ``_headers``; a target with no comment server gets a site with no comment form nor
   request (``_host_settings``), and a page that would still call one stops here
   (``blog.publish.comment_guard``);
2. run every check (``blog.checks``): one failure stops here, the target untouched;
   (a site whose fingerprint already passed them all is not checked again);
3. write ``.gz`` and ``.br`` twins;
4. deploy (``blog.publish.deploy``): rsync release + symlink switch, or a gh-pages push;
   the last line names the next scheduled post (``plugins/scheduled_posts``), if any.

With ``dry_run`` the last step is skipped and the ready site stays in the folder.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from blog.build.settings import settings_file_values
from blog.checks import CheckReport, run_checks
from blog.headers import meta_content_security_policy, write_headers_file
from blog.paths import CACHE, PUBLISH_SETTINGS, ROOT
from blog.paths import CHECK_MEMO as CHECK_MEMO_DEV
from blog.publish import deploy as deploy_mod
from blog.publish import worktree
from blog.publish.comment_guard import refusal as comment_refusal
from blog.publish.precompress import candidates, precompress_site
from blog.publish.target import DeployConfig, DeployResult, load_config
from blog.report import Steps, site_summary

PUBLISH_DIR = CACHE / "publish" / "sito"
# A GitHub Pages build differs (the policy in a <meta>): it has a folder of its own.
PUBLISH_DIR_GH_PAGES = PUBLISH_DIR.with_name("sito-gh-pages")
# Fingerprint of the last production site that passed every check: publishing the
# very same bytes again (a second target, a retry after a network error) skips them.
CHECKED_FILE = CACHE / "publish" / "controlli-superati.txt"  # the last few
# Pages of production builds that passed the slow checks, by content.
CHECK_MEMO = CHECK_MEMO_DEV.with_name("memo-produzione.json")


class PublishFailed(Exception):
    """Publishing stopped; the message (Italian) says why. The target is untouched."""


@dataclass
class PublishResult:
    """What happened, for the final summary line."""

    site: Path
    summary: str
    deployed: DeployResult | None = None


def publish(
    settings_file: Path = PUBLISH_SETTINGS,
    *,
    dry_run: bool = False,
    allow_dirty: bool = False,
    output: Path | None = None,
    root: Path = ROOT,
    say: Callable[[str], None] | None = None,
) -> PublishResult:
    """Run the whole pipeline; raise :class:`PublishFailed` or ``DeployError`` on failure."""
    from blog.build.engine import BuildError, build
    from blog.build.plan import Plan, Purpose

    settings = settings_file_values(settings_file)
    config = None if dry_run else load_config(settings)
    steps = Steps(total=4 if dry_run else 5)
    tell = say or steps.say
    target = config.describe() if config else "nessuna (prova generale)"
    tell(f"Pubblicazione con {settings_file.name} verso: {target}")

    if output is None:
        gh_pages = config is not None and config.method == "gh-pages"
        output = PUBLISH_DIR_GH_PAGES if gh_pages else PUBLISH_DIR
    dirty = _uncommitted_sources(root, allow=allow_dirty or dry_run)
    if dirty:
        tell(worktree.warning(dirty))
    if config is not None:
        tell(f"      destinazione: {deploy_mod.preflight(config, root)}")

    try:
        # The engine prints through ``say`` (the steps' own stream when not given).
        build(Plan(settings_file, output, Purpose.PRODUCTION, settings=_host_settings(config),
                   then=(write_headers_file,)), steps=steps, say=say)
    except BuildError as exc:
        raise PublishFailed(f"La build di produzione è fallita:\n{exc}") from None
    site = output.resolve()
    if config is not None and not config.has_comment_server:
        refused = comment_refusal(site, config.describe())
        if refused:
            raise PublishFailed(refused)

    with steps.step("Controlli del sito"):
        fingerprint = site_fingerprint(site)
        if _already_checked(fingerprint):
            report = CheckReport(site=site, pages=sum(1 for _ in site.rglob("*.html")))
            tell("      ✓ questo stesso sito (byte per byte) ha già superato tutti i controlli: "
                 "non li ripeto")
        else:
            report = run_checks(site, siteurl=str(settings.get("SITEURL", "")),
                                fail_fast=True, memo=CHECK_MEMO,
                                say=lambda line: tell(f"      {line}"))
            tell(_indent(report.text()))
            if report.ok:
                _remember_checked(fingerprint)
    if not report.ok:
        where = f"{config.describe()} non è stato toccato" if config else "nulla è stato pubblicato"
        raise PublishFailed(f"{report.summary(steps.elapsed)}.\nPubblicazione annullata: {where}.")

    with steps.step("Compressione gzip e brotli"):
        counter = steps.counter("file", len(candidates(site)))
        stats = precompress_site(site, on_file=counter.advance)
        counter.close()
        tell(f"      {stats.line()}")

    result = PublishResult(site=output, summary="")
    if config is None:
        result.summary = site_summary(
            f"Prova generale riuscita, sito pronto in {_rel(output)} (non pubblicato)",
            site, steps.elapsed) + next_scheduled_line(settings_file)
        return result

    with steps.step(f"Invio a {config.describe()}"):
        result.deployed = deploy_mod.deploy(site, config, settings, say=tell)
    extra = result.deployed.detail
    if dirty:
        extra += f", CON {len(dirty)} FILE NON SALVATI IN GIT (--allow-dirty)"
    done = "Pubblicato su" if result.deployed.changed else "Niente da inviare a"
    result.summary = site_summary(
        f"{done} {result.deployed.where}", site, steps.elapsed, extra=extra,
    ) + next_scheduled_line(settings_file)
    return result


def _host_settings(config: DeployConfig | None) -> dict[str, str]:
    """Settings that depend on the host: GitHub Pages sends no headers, so its pages
    carry the Content-Security-Policy in a ``<meta http-equiv>`` (``CSP_META``); a
    target with no comment server gets no comment form nor request (``ISSO_URL``)."""
    host: dict[str, str] = {}
    if config is not None and config.method == "gh-pages":
        host["CSP_META"] = meta_content_security_policy()
    if config is not None and not config.has_comment_server:
        host["ISSO_URL"] = ""
    return host


def next_scheduled_line(settings_file: Path) -> str:
    """``\nProssimo articolo programmato: «…», il 31 dicembre 2027`` or ``""``."""
    from blog.build.settings import plugin_module, read_settings

    settings = read_settings(settings_file)
    post = _next_scheduled(plugin_module("scheduled_posts", settings).held_file(settings))
    if post is None:
        return ""
    return (f"\nProssimo articolo programmato: «{post['title']}», il {post['label']} "
            "(esce con la prima pubblicazione da quel giorno: deploy/blog-publish.timer la "
            "fa ogni mattina)")


def _next_scheduled(listed: Path) -> dict[str, str] | None:
    """The earliest post the last build held, from plugins/scheduled_posts' list."""
    import json

    try:
        data = json.loads(listed.read_text(encoding="utf-8"))
        posts = data["posts"] if data.get("hidden") else []
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return posts[0] if posts else None


def rollback(settings_file: Path = PUBLISH_SETTINGS) -> DeployResult:
    """Put the previous release live again (``invoke rollback``); raise ``DeployError``."""
    settings = settings_file_values(settings_file)
    config = load_config(settings)
    deploy_mod.preflight(config)
    return deploy_mod.rollback(config, settings)


def _uncommitted_sources(root: Path, *, allow: bool) -> list[worktree.Change]:
    """Refuse (or, when allowed, return for a warning) uncommitted published sources."""
    try:
        dirty = worktree.uncommitted(root)
    except worktree.NotARepository as exc:
        if allow:
            return []
        raise PublishFailed(
            f"Non posso verificare che i sorgenti siano salvati in git ({exc}): il sito "
            "pubblicato deve corrispondere a un commit.\nSolo se sai cosa stai facendo: "
            "invoke publish --allow-dirty.") from None
    if dirty and not allow:
        raise PublishFailed(worktree.refusal(dirty))
    return dirty


PRECOMPRESSED = frozenset({".gz", ".br"})


def site_fingerprint(site: Path) -> str:
    """SHA-256 over every file of ``site`` and the checkers (our code, vnu, axe-core).

    The ``.gz``/``.br`` twins are left out: they are made from the other files after the
    checks, and an unchanged build keeps the previous publish's twins in its folder."""
    digest = hashlib.sha256()
    for path in sorted(p for p in site.rglob("*")
                       if p.is_file() and p.suffix not in PRECOMPRESSED):
        digest.update(path.relative_to(site).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    from blog.checks.a11y import axe_version
    from blog.checks.memo import code_version
    from blog.checks.nu import vnu_version

    # Read from files only: `chromium --version` is a process that may time out on a
    # busy machine, and a different string would make the same site look unchecked.
    for part in (code_version(), vnu_version(), axe_version()):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


def _checked() -> list[str]:
    try:
        return CHECKED_FILE.read_text(encoding="utf-8").split()
    except OSError:
        return []


def _already_checked(fingerprint: str) -> bool:
    return fingerprint in _checked()


def _remember_checked(fingerprint: str, keep: int = 8) -> None:
    """Remember the last few (one per target's flavour, a retry or two)."""
    recent = [fingerprint] + [f for f in _checked() if f != fingerprint]
    CHECKED_FILE.parent.mkdir(parents=True, exist_ok=True)
    CHECKED_FILE.write_text("\n".join(recent[:keep]) + "\n", encoding="utf-8")


def _rel(path: Path) -> str:
    try:
        return f"{path.relative_to(ROOT)}/"
    except ValueError:
        return f"{path}/"


def _indent(text: str) -> str:
    return "\n".join(f"      {line}" for line in text.splitlines())

