"""One build, three callers (``invoke build``, ``invoke preview``, ``invoke publish``).

Steps, each announced with a counter and its time:

1. the kit, through the kit plugin's own command line (``kit_pdf.main``): a cache hit
   when ``kit/`` did not change, otherwise a render whose phases are printed as they
   happen (Pelican's plugin then finds it in the cache);
2. the site: Pelican in a child process, ``--fatal warnings``, into a staging folder;
3. search: Pagefind on the staging folder; then (production) ``_headers``; then the
   staging folder replaces the output folder in one rename.

A production build unsets ``DELEGA_SHOW_DRAFTS``, sets ``SOURCE_DATE_EPOCH`` (see
``buildtools.reproducible``) and uses caches of its own: Pelican pickles settings into
its content cache, so sharing it between ``pelicanconf`` and ``publishconf`` builds
could leak development URLs into production pages.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from buildtools.report import Steps, plural, seconds_it, site_summary

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_CACHES = {
    "pelican": ROOT / ".cache" / "pelican-publish",
    "kit": ROOT / ".cache" / "kit-publish",
}
DEV_KIT_CACHE = ROOT / ".cache" / "kit"


class SiteBuildFailed(Exception):
    """A step failed; the output folder is as it was. The message is Italian."""


def production_env(root: Path = ROOT) -> tuple[dict[str, str | None], str]:
    """Environment changes for a production build, and where its date comes from."""
    from buildtools.reproducible import ENV, epoch_for_release

    epoch, origin = epoch_for_release(root)
    env: dict[str, str | None] = {"DELEGA_SHOW_DRAFTS": None}
    if epoch is not None:
        env[ENV] = str(epoch)
    return env, origin


def _child_env(changes: Mapping[str, str | None]) -> dict[str, str]:
    env = dict(os.environ) | {"PYTHONUNBUFFERED": "1"}
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def build_kit_step(cache: Path, env: Mapping[str, str | None], steps: Steps) -> None:
    """Run the kit's command line (cache hit or render with progress) in a child."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import kit_pdf; "
        "sys.exit(kit_pdf.main(sys.argv[2:]))"
    )
    cmd = [sys.executable, "-c", code, str(ROOT / "plugins"),
           "--source", str(ROOT / "kit"), "--cache", str(cache)]
    with subprocess.Popen(cmd, cwd=ROOT, env=_child_env(env), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, encoding="utf-8",
                          errors="replace") as child:
        assert child.stdout is not None
        for line in child.stdout:
            steps.say(f"      {line.rstrip()}")
    if child.returncode != 0:
        raise SiteBuildFailed("il kit non si costruisce (errore qui sopra)")


def build_site(
    settings_file: Path,
    output: Path,
    *,
    production: bool = False,
    extra_post_steps: tuple = (),
    steps: Steps | None = None,
) -> str:
    """Build kit, site and search index into ``output``; return the summary line."""
    from buildtools.search_index import IndexFailed, index_site
    from buildtools.staging import BuildFailed, staged_build

    steps = steps or Steps(total=3)
    extra_args: list[str] = []
    env: dict[str, str | None] = {}
    kit_cache = DEV_KIT_CACHE
    if production:
        env, origin = production_env()
        kit_cache = PRODUCTION_CACHES["kit"]
        extra_args = ["--cache-path", str(PRODUCTION_CACHES["pelican"]),
                      "-e", f"KIT_CACHE={_json(str(kit_cache))}"]
        steps.say(f"      data di riferimento (SOURCE_DATE_EPOCH): {origin}")

    with steps.step("Kit sulla delega"):
        build_kit_step(kit_cache, env, steps)

    clock = {"start": time.perf_counter()}

    def search(site: Path) -> None:
        steps.say(f"      fatto in {seconds_it(time.perf_counter() - clock['start'])}")
        pages = sum(1 for _ in site.rglob("*.html"))
        steps.number += 1
        steps.say(f"[{steps.number}/{steps.total}] Indice di ricerca (Pagefind, "
                  f"{plural(pages, 'pagina', 'pagine')})…")
        clock["start"] = time.perf_counter()
        index_site(site)

    steps.number += 1
    steps.say(f"[{steps.number}/{steps.total}] Sito con {settings_file.name} (Pelican)…")
    try:
        summary = staged_build(settings_file, output, post_steps=[search, *extra_post_steps],
                               extra_args=extra_args, env=env)
    except BuildFailed as exc:
        raise SiteBuildFailed(str(exc)) from None
    except IndexFailed as exc:
        raise SiteBuildFailed(f"Pagefind: {exc}") from None
    steps.say(f"      fatto in {seconds_it(time.perf_counter() - clock['start'])}")
    return site_summary(f"Sito pronto in {output.name}/", summary.output, steps.elapsed)


def _json(value: str) -> str:
    import json

    return json.dumps(value)
