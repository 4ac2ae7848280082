"""Page weight per page type, as Chromium loads each page before any interaction.

Builds a copy of the project with ``invoke build`` (or measures ``--site DIR``) and
prints brotli bytes of HTML, CSS, JS, fonts and images, the HTML+CSS+JS total that the
article budget (15 KB, aim 12 KB) is about, and any third-party request. With
``--og`` it also times the Open Graph images, cold (empty cache) and warm.

    python -m benchmarks.bench_pageweight [--site output] [--og]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from blog.checks.budget import page_loads

PAGE_TYPES = {
    "home": "index.html",
    "home, pagina 2": "pagina/2/index.html",
    "articolo (serie)": "arte-della-delega-marco-ecommerce-ceramiche/index.html",
    "articolo (kit)": "sei-pronto-assistente-virtuale/index.html",
    "pagina": "chi-sono/index.html",
    "pagina del kit": "kit-sulla-delega/index.html",
    "categoria": "categoria/delega/index.html",
    "tag": "tag/delega/index.html",
    "autrice": "autore/giulia/index.html",
    "archivio": "archivio/index.html",
    "404": "404.html",
}
COLUMNS = ("html", "css", "js", "font", "image", "initial", "total", "requests", "third_party")


def build_copy() -> Path:
    from tests.sitecopy import copy_project, invoke

    project = copy_project(Path(tempfile.mkdtemp(prefix="bench-weight-")) / "project")
    result = invoke(project, "build")
    if result.returncode:
        sys.exit(result.stdout + result.stderr)
    return project / "output"


def bench_og(titles: int = 7) -> tuple[float, float]:
    """Seconds to produce ``titles`` cards with an empty cache, then with a warm one."""
    from blog.build.settings import local_plugin

    og_image = local_plugin("og_image")

    cards = [og_image.Card(f"Titolo di prova numero {n}: delegare bene, lavorare meglio",
                           "Assistente Virtuale", "Giulia · Assistente Virtuale", "G")
             for n in range(titles)]
    with tempfile.TemporaryDirectory() as cache:
        started = time.perf_counter()
        for card in cards:
            og_image.ensure_card(card, Path(cache))
        cold = time.perf_counter() - started
        started = time.perf_counter()
        for card in cards:
            og_image.ensure_card(card, Path(cache))
        warm = time.perf_counter() - started
    return cold, warm


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="a built site (default: build a copy)")
    parser.add_argument("--og", action="store_true", help="also time the Open Graph images")
    args = parser.parse_args(argv)
    site = args.site or build_copy()
    pages = {name: rel for name, rel in PAGE_TYPES.items() if (site / rel).is_file()}
    loads = page_loads(site, list(pages.values()))
    print(f"{'pagina':<18}" + "".join(f"{c:>12}" for c in COLUMNS))
    for name, rel in pages.items():
        weights = loads[rel].weights()
        print(f"{name:<18}" + "".join(f"{weights[c]:>12}" for c in COLUMNS))
        for url in loads[rel].third_party_urls:
            print(f"    terza parte: {url}")
    if args.og:
        cold, warm = bench_og()
        print(f"\nImmagini Open Graph (7): {cold:.2f} s a freddo, {warm * 1000:.1f} ms dalla cache")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
