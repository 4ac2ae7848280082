"""The author's tasks: ``invoke --list`` shows them, ``invoke build`` is the daily one.

Follows the Pelican quickstart's names (clean, build, rebuild, regenerate, serve,
reserve, preview, livereload, publish) and adds kit, test and lint.
"""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path

from invoke import Exit, task

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "plugins"))

from buildtools.search_index import IndexFailed, index_site  # noqa: E402
from buildtools.staging import BuildFailed, staged_build  # noqa: E402

PY = shlex.quote(sys.executable)
CONFIG = {
    "settings_base": ROOT / "pelicanconf.py",
    "settings_publish": ROOT / "publishconf.py",
    "deploy_path": ROOT / "output",
    "host": "127.0.0.1",
    "port": 8000,
}


def _pelican(c, *args: str) -> None:
    c.run(f"{PY} -m pelican {' '.join(args)}", pty=False)


def _build(settings: Path, output: Path) -> None:
    try:
        summary = staged_build(settings, output, post_steps=[index_site])
    except (BuildFailed, IndexFailed) as exc:
        raise Exit(
            f"Build fallita ({exc}): {output.name}/ è rimasto com’era. "
            "Leggi l’errore qui sopra: indica il file (e la riga) da correggere.",
            code=1,
        ) from None
    print(summary.line())


@task
def clean(c):
    """Remove the generated site and the build caches."""
    for path in (CONFIG["deploy_path"], ROOT / ".cache"):
        shutil.rmtree(path, ignore_errors=True)
    print("Pulito: output/ e .cache/ rimossi")


@task
def build(c):
    """Build the site and the kit into output/ (only if everything succeeds)."""
    _build(CONFIG["settings_base"], CONFIG["deploy_path"])


@task
def rebuild(c):
    """`clean` then `build`."""
    clean(c)
    build(c)


@task
def regenerate(c):
    """Rebuild on every change (Pelican's own watcher, no browser refresh)."""
    _pelican(c, "content", "-r", "-s", str(CONFIG["settings_base"]))


@task
def serve(c):
    """Serve output/ at http://127.0.0.1:8000/."""
    _pelican(c, "-l", "-s", str(CONFIG["settings_base"]),
             "-b", CONFIG["host"], "-p", str(CONFIG["port"]))


@task
def reserve(c):
    """`build`, then `serve`."""
    build(c)
    serve(c)


@task
def preview(c):
    """Build with the production settings (publishconf.py) into output/."""
    _build(CONFIG["settings_publish"], CONFIG["deploy_path"])


@task
def kit(c, force=False):
    """Build the PDF kit sulla delega (re-rendered only when kit/ changed)."""
    import kit_pdf

    argv = ["--force"] if force else []
    code = kit_pdf.main(argv)
    if code:
        raise Exit(code=code)


@task(help={"port": "port of the site (default 8000)", "isso_port": "port of Isso (8081)"})
def comments(c, port=CONFIG["port"], isso_port=8081):
    """Serve output/ with Isso's comments on 127.0.0.1 (local database, moderation links)."""
    from buildtools.comments import run_for_author

    code = run_for_author(CONFIG["deploy_path"], port=int(port), isso_port=int(isso_port))
    if code:
        raise Exit(code=code)


@task
def livereload(c):
    """Serve the site and rebuild it, refreshing the browser, on every change."""
    raise Exit("livereload: non ancora disponibile (issue #6).", code=1)


@task
def publish(c):
    """Publish the production build (needs a configured deploy target)."""
    raise Exit(
        "publish: manca ancora una destinazione di pubblicazione configurata "
        "(rsync o gh-pages, issue #6). Per ora usa `invoke preview` e carica output/.",
        code=1,
    )


@task
def lint(c):
    """ruff on the project's Python code."""
    c.run(f"{PY} -m ruff check .")


@task(help={"k": "only tests matching this expression", "args": "extra pytest arguments"})
def test(c, k="", args=""):
    """Run the whole test suite (unit, build, PDF, browser)."""
    selector = f"-k {shlex.quote(k)}" if k else ""
    c.run(f"{PY} -m pytest {selector} {args}", pty=False)
