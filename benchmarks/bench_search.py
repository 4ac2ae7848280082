"""A reader's first search, counted in Chromium: ours beside plain Pagefind, same site.

Usage: ``python -m benchmarks.bench_search [--posts 1000] [--query delega]``. A synthetic
project (``benchmarks/synth.py``) is built with the author's commands, ``invoke build``
(development: the index in parts) then ``invoke preview`` (production, ``publishconf.py``:
one index); the production site is then indexed again by plain ``python -m pagefind
--site`` (no option) for the comparison.

What is counted, in a fresh browser context (an empty cache) on the home page, served
by the project's own local web app (:mod:`blog.checks.browser`): every request from the
first keystroke to the results shown. Ours: the reader focuses the box (its stylesheet
loads then, before the count starts), types the query at 40 ms a key (one search: the box
waits 120 ms) and the first results appear. Plain Pagefind: its JavaScript API
(``import``, ``search``, then ``data()`` of as many results as our box showed). Bytes
are Chromium's transfer sizes (headers and bodies as the local app sends them: no
compression); the brotli column is what a server with precompressed twins
(:mod:`blog.publish.precompress`, nginx ``brotli_static``) would send as bodies.

:func:`first_search` measures a built project for the build bench (``bench_build``):
call it last, it leaves the production site in ``output/``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from blog.checks.browser import browser_or_new, browser_view
from blog.checks.browser import serve as serve_directory

QUERY = "delega"
HOME = "/"
BOX = "Cerca nel blog"
KEY_DELAY_MS = 40  # faster than the box's 120 ms wait: one search, for the whole word
PAGE_SIZE = 8  # results the box shows first (theme/static/js/search.js)
# Plain Pagefind's JavaScript API, as a page of its own would use it: the first results'
# data loaded, as many as our box showed.
PLAIN_SEARCH = """async ([bundle, query, shown]) => {
    const pagefind = await import(bundle + "pagefind.js");
    const found = await pagefind.search(query);
    await Promise.all(found.results.slice(0, shown).map((r) => r.data()));
    return found.results.length;
}"""
KINDS = {"dev": "nostra, sviluppo", "production": "nostra, produzione",
         "plain": "Pagefind semplice"}


@dataclass
class Cost:
    """What one first search made the browser fetch."""

    requests: int
    transferred: int  # Chromium's transfer sizes: response headers and bodies
    brotli: int  # the same bodies as a brotli_static server sends them
    fragments: int  # result records fetched (.pf_fragment)
    results: int  # results found
    parts: int = 1  # parts of the index (ours in development: more than one)
    urls: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _site_root(site: Path) -> str:
    """The site's own URL (``SITEURL``) as its home page's search box says it."""
    html = (site / "index.html").read_text(encoding="utf-8")
    found = re.search(r'data-search-root="([^"]*)"', html)
    return found.group(1).rstrip("/") if found else ""


def _parts(site: Path) -> int:
    listed = site / "pagefind" / "parti.json"
    return 1 + len(json.loads(listed.read_text(encoding="utf-8"))) if listed.is_file() else 1


def _brotli_size(file: Path) -> int:
    """Bytes of ``file``'s body from a server that sends precompressed twins."""
    from blog.publish import precompress

    data = file.read_bytes()
    if file.suffix.lower() not in precompress.COMPRESSIBLE or len(data) < precompress.MIN_SIZE:
        return len(data)
    packed = len(precompress.brotli_bytes(data))
    return packed if packed <= len(data) * (1 - precompress.MIN_SAVING) else len(data)


def _cost(requests: list[Any], base: str, view: Path, results: int) -> Cost:
    """Sizes of ``requests`` (each waited for until its body has arrived)."""
    counted = [r for r in requests if r.url.startswith(base) and "/isso/" not in r.url]
    transferred = brotli = 0
    for request in counted:
        sizes = request.sizes()
        transferred += sizes["responseHeadersSize"] + sizes["responseBodySize"]
        file = view / request.url[len(base):].split("?")[0].split("#")[0].lstrip("/")
        if file.is_dir():
            file = file / "index.html"
        brotli += _brotli_size(file) if file.is_file() else sizes["responseBodySize"]
    paths = [r.url[len(base):] for r in counted]
    return Cost(len(counted), transferred, brotli,
                sum(p.split("?")[0].endswith(".pf_fragment") for p in paths), results,
                urls=paths)


def _open(chromium: Any, url: str) -> tuple[Any, Any]:
    context = chromium.new_context(locale="it-IT")
    tab = context.new_page()
    tab.goto(url)
    tab.wait_for_load_state("networkidle")
    return context, tab


def reader_first_search(site: Path, *, query: str = QUERY, page: str = HOME,
                        browser: Any = None) -> dict[str, Any]:
    """Our box's first search on the built ``site`` (see the module's notes): requests,
    transferred and brotli bytes, fragments, results, the index's parts, the URLs."""
    from playwright.sync_api import expect

    with browser_view(site, _site_root(site)) as view, serve_directory(view) as base, \
            browser_or_new(browser) as chromium:
        context, tab = _open(chromium, base + page)
        try:
            box = tab.get_by_role("combobox", name=BOX)
            box.focus()  # its stylesheet loads now, before the first keystroke
            tab.wait_for_load_state("networkidle")
            requests: list[Any] = []
            tab.on("request", lambda request: requests.append(request))
            box.press_sequentially(query, delay=KEY_DELAY_MS)
            expect(tab.locator(".search-status")).to_contain_text(f"per «{query}»",
                                                                   timeout=60_000)
            status = tab.locator(".search-status").inner_text()
            found = re.match(r"(\d+) risultati|1 risultato", status)
            results = (int(found.group(1)) if found.group(1) else 1) if found else 0
            shown = list(requests)  # what was asked for until the results were shown
            cost = _cost(shown, base, view, results)
        finally:
            context.close()
    cost.parts = _parts(site)
    return cost.as_dict()


def plain_pagefind_first_search(site: Path, *, query: str = QUERY, page: str = HOME,
                                shown: int = PAGE_SIZE, browser: Any = None,
                                ) -> dict[str, Any]:
    """The same first search on ``site`` indexed by plain ``python -m pagefind --site``,
    through Pagefind's JavaScript API, ``shown`` results' data loaded."""
    with browser_view(site, _site_root(site)) as view, \
            tempfile.TemporaryDirectory(prefix="pagefind-semplice-") as tmp:
        plain = Path(tmp) / "site"
        shutil.copytree(view, plain, copy_function=_link,
                        ignore=lambda folder, names: ["pagefind"] if folder == str(view) else [])
        subprocess.run([sys.executable, "-m", "pagefind", "--site", str(plain), "--silent"],
                       check=True)
        with serve_directory(plain) as base, browser_or_new(browser) as chromium:
            context, tab = _open(chromium, base + page)
            try:
                requests: list[Any] = []
                tab.on("request", lambda request: requests.append(request))
                results = tab.evaluate(PLAIN_SEARCH, ["/pagefind/", query, shown])
                cost = _cost(list(requests), base, plain, results)
            finally:
                context.close()
    return cost.as_dict()


def _link(source: str, target: str) -> None:
    os.link(source, target)


def _invoke(project: Path, *args: str) -> Path:
    """Run an invoke task in ``project``; the version folder ``output`` points to."""
    result = subprocess.run([sys.executable, "-m", "invoke", *args], cwd=project,
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"invoke {' '.join(args)} fallito in {project}:\n"
                         f"{result.stdout}{result.stderr}")
    return (project / "output").resolve()


def first_search(project: Path, *, query: str = QUERY, browser: Any = None,
                 ) -> dict[str, dict[str, Any]]:
    """``{"dev", "production", "plain"}`` costs of a first search on ``project``: built
    with ``invoke build``, then ``invoke preview`` (left in ``output/``), then plain
    Pagefind over the production site."""
    with browser_or_new(browser) as chromium:
        dev = reader_first_search(_invoke(project, "build"), query=query, browser=chromium)
        production_site = _invoke(project, "preview")
        production = reader_first_search(production_site, query=query, browser=chromium)
        plain = plain_pagefind_first_search(production_site, query=query,
                                            shown=production["fragments"], browser=chromium)
    return {"dev": dev, "production": production, "plain": plain}


def _kib(size: int) -> str:
    return f"{size / 1024:,.0f}".replace(",", ".")


def cells(costs: dict[str, dict[str, Any]]) -> dict[str, str]:
    """One table cell per kind (:data:`KINDS`): ``35 richieste, 325 KiB (brotli 180 KiB):
    +20, 1,58×`` beside plain Pagefind. For the build bench's table too."""
    plain = costs["plain"]
    out = {}
    for kind, cost in costs.items():
        parts = f", {cost['parts']} parti" if cost.get("parts", 1) > 1 else ""
        line = (f"{cost['requests']} richieste, {_kib(cost['transferred'])} KiB "
                f"(brotli {_kib(cost['brotli'])} KiB{parts})")
        if kind != "plain":
            ratio = f"{cost['transferred'] / plain['transferred']:.2f}".replace(".", ",")
            line += f": {cost['requests'] - plain['requests']:+d}, {ratio}×"
        out[kind] = line
    return out


def table(costs: dict[str, dict[str, Any]]) -> list[str]:
    """The Markdown table: ours in parts, ours in production, plain Pagefind."""
    plain = costs["plain"]
    lines = ["| prima ricerca | parti | richieste | KiB trasferiti | KiB brotli | risultati "
             "(frammenti) | richieste − Pagefind | byte ÷ Pagefind |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for kind, cost in costs.items():
        extra = ratio = "—"
        if kind != "plain":
            extra = f"{cost['requests'] - plain['requests']:+d}"
            ratio = (f"{cost['transferred'] / plain['transferred']:.2f}× (brotli "
                     f"{cost['brotli'] / plain['brotli']:.2f}×)").replace(".", ",")
        lines.append(f"| {KINDS[kind]} | {cost.get('parts', 1)} | {cost['requests']} | "
                     f"{_kib(cost['transferred'])} | {_kib(cost['brotli'])} | "
                     f"{cost['results']} ({cost['fragments']}) | {extra} | {ratio} |")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description="Costo della prima ricerca di un lettore.")
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--query", default=QUERY)
    parser.add_argument("--project", type=Path,
                        help="a project already made by benchmarks/synth.py (kept)")
    parser.add_argument("--urls", action="store_true", help="also list every request")
    args = parser.parse_args()
    from benchmarks.synth import make_site

    with tempfile.TemporaryDirectory(prefix="bench-ricerca-") as tmp:
        project = args.project or make_site(Path(tmp) / "progetto", args.posts)
        print(f"… {args.posts} articoli in {project}", file=sys.stderr, flush=True)
        costs = first_search(project, query=args.query)
    print("\n".join(table(costs)))
    print(f"\nPrima ricerca di «{args.query}» dalla home, Chromium, cache vuota: dal primo "
          "tasto ai risultati mostrati. Byte trasferiti come li manda il server locale "
          "(senza compressione); brotli: i corpi come li manda un server con i file "
          "precompressi.")
    if args.urls:
        for kind, cost in costs.items():
            print(f"\n{KINDS[kind]}:\n  " + "\n  ".join(cost["urls"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
