"""Moving in from WordPress at the author's scale: the import timed, and Pelican's own
importer beside it on the same export.

Usage: ``python -m benchmarks.bench_wordpress [--posts 500 --pages 60 --comments 5000
--attachments 2000] [--build] [--compare] [--export FILE --uploads DIR]``.

A deterministic export (``tests/wordpress_exports.big_export``: threads of comments,
pending and spam, attachments with a ``wp-content/uploads`` tree of year/month folders
and WordPress's size variants) is imported into a fresh copy of the project with the
author's command, ``invoke import-wordpress EXPORT --uploads DIR``: wall seconds and CPU
seconds of the process tree, against the 30 s budget of issue 24. ``--build`` also
times the strict ``invoke build`` of the result.

``--compare`` runs ``pelican-import --wpfile -m markdown --dir-page`` (it needs lxml and
pandoc: ``pip install --target DIR lxml`` and ``PELICAN_IMPORT_PYTHONPATH=DIR``;
``apt-get install pandoc``) on the same export, puts its files into another copy of the
project and builds both strictly, and prints one table: files, drafts, WordPress
leftovers in the Markdown, comments, redirects, and the strict build.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET = 30.0
OURS, PELICAN = "invoke import-wordpress", "pelican-import --wpfile"
# What a reader must never see: WordPress markup that survived the conversion.
LEFTOVERS = re.compile(r"<!--\s*/?wp:|<!--more-->|<!--nextpage-->|\[/?(?:caption|gallery|embed|"
                       r"audio|video|contact-form-7)\b|wp-content/uploads|class=\"wp-|srcset=")


@dataclass
class Timed:
    wall: float
    cpu: float
    code: int
    output: str


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Timed:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=os.environ | (env or {}), capture_output=True,
                          text=True, check=False)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    return Timed(wall, cpu, done.returncode, done.stdout + done.stderr)


def invoke(project: Path, *args: str) -> Timed:
    return timed([sys.executable, "-m", "invoke", *args], project, {"LANG": "C", "LC_ALL": "C"})


def build_problems(result: Timed) -> tuple[str, list[str]]:
    """«passa», or how many problems the strict build listed and the first one; and the
    problems themselves."""
    if result.code == 0:
        return "passa", []
    problems = [line.strip() for line in result.output.split("Da correggere:", 1)[-1].splitlines()
                if line.startswith("  ") and line.strip()]
    first = problems[0][:90] if problems else result.output.strip().splitlines()[-1][:90]
    errors = "1 errore" if len(problems) == 1 else f"{len(problems)} errori"
    return f"fallisce: {errors} (es. «{first}»)", problems or [first]


def markdown_facts(files: list[Path]) -> dict[str, str]:
    """Files, drafts, files with WordPress leftovers, and files that would publish what
    WordPress did not (the generated export marks it TESTO-SEGRETO)."""
    drafts = leftovers = exposed = published = 0
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        draft = "status: draft" in text.split("\n\n", 1)[0].lower()
        drafts += draft
        published += not draft
        leftovers += bool(LEFTOVERS.search(text))
        exposed += "TESTO-SEGRETO" in text and not draft
    return {"file": str(len(files)), "pubblici": str(published), "bozze": str(drafts),
            "avanzi": str(leftovers), "esposti": str(exposed)}


def ours(export: Path, uploads: Path | None, folder: Path, build: bool) -> dict:
    from tests.sitecopy import copy_project
    from tests.wordpress_support import DB

    project = copy_project(folder / "nostro")
    before = {p for p in (project / "content").rglob("*.md")}
    args = ["import-wordpress", str(export)] + (["--uploads", str(uploads)] if uploads else [])
    run = invoke(project, *args)
    if run.code != 0:
        raise SystemExit(run.output)
    files = [p for p in (project / "content").rglob("*.md") if p not in before]
    with sqlite3.connect(project / DB) as db:
        shown, pending = db.execute("SELECT sum(mode = 1), sum(mode = 2) FROM comments").fetchone()
    redirects = re.search(r"Reindirizzamenti dai vecchi indirizzi: (\d+)", run.output).group(1)
    kept = run.output.count("Già presente, tenuto com’è:")
    row = markdown_facts(files) | {
           "commenti": f"{shown or 0} approvati + {pending or 0} da moderare (Isso)",
           "reindirizzamenti": redirects,
           "tempo": f"{run.wall:.1f} s ({run.cpu:.1f} s CPU)"}
    if kept:
        row["file"] += f" (+{kept} già nel sito, tenuti)"
    if build:
        result = invoke(project, "build")
        verdict, row["problemi"] = build_problems(result)
        row["build"] = verdict + f" ({result.wall:.0f} s)"
    return row


def pelican_import(export: Path, folder: Path, build: bool) -> dict:
    from tests.sitecopy import copy_project

    out = folder / "pelican-import"
    command = [str(ROOT / ".venv/bin/pelican-import"), "--wpfile", "-m", "markdown",
               "--dir-page", "-o", str(out), str(export)]
    extra = os.environ.get("PELICAN_IMPORT_PYTHONPATH", "")
    run = timed(command, folder, {"PYTHONPATH": extra} if extra else None)
    if run.code != 0:
        return {"file": "non parte: " + run.output.strip().splitlines()[-1][:120]}
    pages = sorted((out / "pages").glob("*.md")) if (out / "pages").is_dir() else []
    articles = sorted(out.glob("*.md"))
    row = markdown_facts(articles + pages) | {
           "commenti": "0 (non li importa)", "reindirizzamenti": "0 (non li scrive)",
           "tempo": f"{run.wall:.1f} s ({run.cpu:.1f} s CPU)"}
    if build:
        project = copy_project(folder / "pelican")
        for source, target in ((articles, "articles"), (pages, "pages")):
            for path in source:  # beside the author's own files, never over them
                dest = project / "content" / target / path.name
                if dest.exists():
                    dest = dest.with_name(f"{path.stem}-wordpress.md")
                shutil.copy2(path, dest)
        result = invoke(project, "build")
        verdict, row["problemi"] = build_problems(result)
        row["build"] = verdict + f" ({result.wall:.0f} s)"
    return row


def table(rows: dict[str, dict], items: tuple[int, int]) -> str:
    """One Markdown table; ``items``: the export's posts and pages, and the public ones."""
    keys = ["file", "pubblici", "bozze", "esposti", "avanzi", "commenti", "reindirizzamenti",
            "build", "tempo"]
    heads = {"file": f"File .md (articoli e pagine nell’export: {items[0]})",
             "pubblici": f"Pubblicati (pubblici su WordPress: {items[1]})",
             "bozze": "Bozze (Status: draft)",
             "esposti": "Non pubblici su WordPress, pubblici qui",
             "avanzi": "File con avanzi di WordPress", "commenti": "Commenti",
             "reindirizzamenti": "Reindirizzamenti", "build": "Build severa",
             "tempo": "Tempo dell’import"}
    lines = ["| | " + " | ".join(rows) + " |", "|---|" + "---|" * len(rows)]
    for key in keys:
        if any(key in row for row in rows.values()):
            cells = " | ".join(row.get(key, "–") for row in rows.values())
            lines.append(f"| {heads[key]} | {cells} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=500)
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--comments", type=int, default=5000)
    parser.add_argument("--attachments", type=int, default=2000)
    parser.add_argument("--export", type=Path, help="an export of your own instead")
    parser.add_argument("--uploads", type=Path, help="its copy of wp-content/uploads")
    parser.add_argument("--build", action="store_true", help="also build the result strictly")
    parser.add_argument("--compare", action="store_true", help="pelican-import beside it")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from tests.wordpress_exports import big_export

    with tempfile.TemporaryDirectory(prefix="bench-wordpress-") as tmp:
        folder = Path(tmp)
        if args.export:
            export, uploads = args.export.resolve(), args.uploads and args.uploads.resolve()
            what = export.name
        else:
            began = time.perf_counter()
            made = big_export(folder / "wordpress", posts=args.posts, pages=args.pages,
                              comments=args.comments, attachments=args.attachments)
            export, uploads = made.path, made.uploads
            what = (f"{args.posts} articoli, {args.pages} pagine, {args.comments} commenti, "
                    f"{args.attachments} allegati (export generato in "
                    f"{time.perf_counter() - began:.1f} s)")
        build = args.build or args.compare
        rows = {OURS: ours(export, uploads, folder, build)}
        if args.compare:
            rows[PELICAN] = pelican_import(export, folder, True)
        from blog.wordpress.wxr import parse

        content = [i for i in parse(export).items
                   if i.post_type in ("post", "page") and i.status != "trash"]
        items = (len(content), sum(i.status == "publish" and not i.password for i in content))
        print(f"Export: {what}\n")
        print(table(rows, items))
        for column, row in rows.items():
            if problems := row.get("problemi"):
                print(f"\nLa build severa dopo {column} rifiuta:")
                print("\n".join(f"- {problem[:160]}" for problem in problems[:12]))
        seconds = float(rows[OURS]["tempo"].split(" s", 1)[0])
        print(f"\nImport in {seconds:.1f} s: " + ("entro" if seconds <= BUDGET else "OLTRE")
              + f" il limite di {BUDGET:.0f} s.")


if __name__ == "__main__":
    main()
