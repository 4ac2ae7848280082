"""Build timings of a site with 10 and 100 phone photos, cold and after one edit.

Usage: ``python -m benchmarks.bench_images [--photos 10,100] [--lighthouse]``;
``benchmarks/bench_build.py`` calls :func:`bench_photos` and puts :func:`table` beside its
own. ``--lighthouse`` scores a post with ten photos, mobile and desktop
(:func:`lighthouse_photos`, the CLI of ``benchmarks/lighthouse/``: ``npm ci`` there, or
``LIGHTHOUSE=/path/to/lighthouse``). For each count, a copy
of the project gets that many 4032×3024 phone photos (tests/phone_photo.py, ~4.3 MB each,
GPS and all), ten to a post, and is built with ``invoke build``:

- cold: no image cache (nor Pelican's): every variant made, 12 files a photo;
- after one text edit: one post changed, no photo; nothing is made again;
- after one photo replaced: one photo's 12 files made, its old ones pruned.

Each build's wall and CPU seconds come from ``bench_build.run_measured`` (the whole
process tree, the fork server's workers included); from the build log, the files made
and how long the images kept the build waiting once the pages were written.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from pathlib import Path

PER_POST = 10
POST = """Title: Foto della settimana {number}
Date: 2026-09-{day:02d} 09:00
Category: Delega
Tags: foto
Slug: foto-della-settimana-{number}
Summary: Dieci foto della scrivania, una settimana dopo l’altra.

{body}
"""
LINE = re.compile(r"content_images: (\d+) immagini, (\d+) file \((\d+) nuovi, (\d+) dalla cache, "
                  r"(\d+) tolti dalla cache\) in ([\d.]+) s, ([\d.]+) s dopo le pagine")


def make_photo_site(dest: Path, photos: int) -> Path:
    """A project copy in ``dest`` with ``photos`` phone photos, ten to a post."""
    from tests import phone_photo
    from tests.sitecopy import copy_project

    if dest.exists():
        shutil.rmtree(dest)
    project = copy_project(dest)
    images = project / "content" / "images" / "foto"
    posts = (photos + PER_POST - 1) // PER_POST
    for post in range(posts):
        lines = []
        for n in range(post * PER_POST, min(photos, (post + 1) * PER_POST)):
            phone_photo.write(images / f"foto-{n:03d}.jpg", n, orientation=6 if n % 5 == 4 else 1)
            lines += [f"Il giorno {n + 1} la scrivania era così.", "",
                      f"![La scrivania, giorno {n + 1}]({{static}}/images/foto/foto-{n:03d}.jpg)",
                      ""]
        (project / "content" / "articles" / f"foto-della-settimana-{post + 1}.md").write_text(
            POST.format(number=post + 1, day=1 + post % 28, body="\n".join(lines)),
            encoding="utf-8")
    for cache in ("images", "pelican"):
        shutil.rmtree(project / ".cache" / cache, ignore_errors=True)
    return project


def _images(project: Path) -> dict[str, float]:
    log = (project / ".cache" / "ultima-build.log").read_text(encoding="utf-8")
    found = LINE.findall(log)
    if not found:
        return {}
    shown, files, made, _cached, pruned, seconds, after = found[-1]
    return {"shown": int(shown), "files": int(files), "made": int(made), "pruned": int(pruned),
            "seconds": float(seconds), "after": float(after)}


def bench_photos(counts: tuple[int, ...] = (10, 100)) -> list[dict]:
    """One row per photo count: the cold build, one text edit, one photo replaced."""
    from benchmarks.bench_build import EDIT_MARK, invoke_build
    from tests import phone_photo

    rows = []
    for count in counts:
        print(f"… {count} foto", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory(prefix=f"bench-foto-{count}-") as tmp:
            project = make_photo_site(Path(tmp) / "progetto", count)
            row: dict = {"photos": count}
            run = invoke_build(project)
            row["cold"], row["cold_images"] = run, _images(project)
            post = project / "content" / "articles" / "foto-della-settimana-1.md"
            with post.open("a", encoding="utf-8") as handle:
                handle.write(f"\n{EDIT_MARK}.\n")
            run = invoke_build(project)
            row["edit"], row["edit_images"] = run, _images(project)
            phone_photo.write(project / "content/images/foto/foto-000.jpg", 10_000)
            run = invoke_build(project)
            row["photo"], row["photo_images"] = run, _images(project)
            rows.append(row)
    return rows


def lighthouse_photos(runs: int = 3) -> list[tuple]:
    """Median Lighthouse scores (performance, accessibility, best practices, SEO), the
    worst CLS and the audits below 1, mobile and desktop, for a post with ten photos on
    a plain static host (as ``benchmarks/lighthouse/run.py`` serves the site)."""
    import json
    import os
    import statistics
    import subprocess

    from benchmarks.lighthouse.run import CATEGORIES, CHROMIUM, HERE
    from blog.checks.browser import serve
    from tests.sitecopy import invoke

    binary = os.environ.get("LIGHTHOUSE") or str(HERE / "node_modules" / ".bin" / "lighthouse")
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-foto-lh-") as tmp:
        project = make_photo_site(Path(tmp) / "progetto", PER_POST)
        result = invoke(project, "build", env={"DELEGA_ISSO_URL": ""})
        if result.returncode:
            raise SystemExit(result.stdout + result.stderr)
        with serve(project / "output") as base:
            for preset in ("mobile", "desktop"):
                reports = []
                for number in range(runs):
                    out = Path(tmp) / f"lh-{preset}-{number}.json"
                    args = [binary, f"{base}/foto-della-settimana-1/", "--quiet",
                            "--output=json", f"--output-path={out}",
                            "--only-categories=" + ",".join(CATEGORIES),
                            "--chrome-flags=--headless=new --no-sandbox --disable-gpu"]
                    if preset == "desktop":
                        args.append("--preset=desktop")
                    subprocess.run(args, check=True, env=os.environ | {"CHROME_PATH": CHROMIUM})
                    reports.append(json.loads(out.read_text(encoding="utf-8")))
                scores = [round(100 * statistics.median(r["categories"][c]["score"]
                                                        for r in reports)) for c in CATEGORIES]
                audits = reports[0]["audits"]
                cls = max(r["audits"]["cumulative-layout-shift"]["numericValue"] for r in reports)
                lcp = statistics.median(r["audits"]["largest-contentful-paint"]["numericValue"]
                                        for r in reports)
                weight = audits["total-byte-weight"]["numericValue"]
                below = [key for key, audit in audits.items() if audit.get("score") is not None
                         and audit["score"] < 1
                         and audit.get("scoreDisplayMode") in ("binary", "metricSavings")]
                rows.append((preset, *scores, round(cls, 3), round(lcp), round(weight),
                             " ".join(below)))
    return rows


def _num(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}".replace(",", " ").replace(".", ",")


def table(rows: list[dict]) -> list[str]:
    """The Markdown table: one column per photo count."""
    lines = ["| foto (4032×3024, ~4,3 MB) | " + " | ".join(str(r["photos"]) for r in rows) + " |",
             "|---|" + "---:|" * len(rows)]
    for key, label in (("cold", "a freddo"), ("edit", "dopo 1 articolo modificato"),
                       ("photo", "dopo 1 foto sostituita")):
        def cell(row: dict, key: str = key) -> str:
            run, images = row[key], row.get(f"{key}_images") or {}
            made = images.get("made", 0)
            return (f"{_num(run.wall)} s (CPU {_num(run.cpu)}), {made} file fatti, "
                    f"{_num(images.get('after', 0), 2)} s d’attesa dopo le pagine")
        lines.append(f"| {label} | " + " | ".join(cell(r) for r in rows) + " |")
    lines.append("| file pubblicati (varianti, originali collegati, kit) | "
                 + " | ".join(str((r.get("cold_images") or {}).get("files", 0)) for r in rows)
                 + " |")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", default="10,100")
    parser.add_argument("--lighthouse", action="store_true",
                        help="Lighthouse on a post with ten photos, instead of the timings")
    args = parser.parse_args()
    if args.lighthouse:
        print("profilo, prestazioni, accessibilità, pratiche, SEO, CLS, LCP ms, byte, da guardare")
        for row in lighthouse_photos():
            print(", ".join(str(v) for v in row))
        return 0
    counts = tuple(int(c) for c in args.photos.split(",") if c.strip())
    print("\n".join(table(bench_photos(counts))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
