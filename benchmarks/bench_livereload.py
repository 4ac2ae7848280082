"""``invoke livereload``: seconds from saving a file to the page showing it, in real Chromium.

Usage: ``python -m benchmarks.bench_livereload [--rounds 5] [--url URL --project DIR]``.
Without ``--url`` it copies this project into a temporary folder and starts
``invoke livereload --port 0`` there (the site at its current size); with ``--url`` and
``--project`` it measures a server that is already running on that project.

Rows: an article edit (the page reloads), a theme stylesheet edit (swapped in place, no
reload) and the server's own rebuild time for the article edit. Prints a Markdown table
(medians, min–max); :func:`preview_latency` is also what ``bench_build.py`` uses for its
synthetic sites (server-sent events, no browser).

``--posts N [--versions HEAD,.]``: a synthetic site of N posts (``benchmarks/synth.py``,
one ``invoke build`` first, as ``bench_build.py`` does), saves of the open article timed
to its reload, the whole site and its search index; ``--versions``: serve the same
project with livereload as it is at each git revision (``blog/serve/``,
``blog/build/preview.py`` and ``tasks.py`` taken from it; ``.``: the working tree),
taking turns.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlsplit

ARTICLE = "content/articles/sei-pronto-assistente-virtuale.md"
PAGE = "/sei-pronto-assistente-virtuale/"


def _events(url: str, page: str = "/") -> tuple[http.client.HTTPConnection,
                                               http.client.HTTPResponse]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    connection.request("GET", f"/__livereload/events?page={quote(page)}")
    return connection, connection.getresponse()


def _next_event(response: http.client.HTTPResponse, kinds: tuple[str, ...]) -> dict:
    kind = ""
    while True:
        line = response.readline().decode("utf-8")
        if not line:
            raise SystemExit("il server livereload ha chiuso la connessione")
        line = line.rstrip("\n")
        if line.startswith("event: "):
            kind = line[7:]
        elif line.startswith("data: ") and kind in kinds:
            return json.loads(line[6:]) | {"event": kind}


def reload_latency(url: str, edit: Callable[[int], None], rounds: int = 3) -> list[float]:
    """Seconds from ``edit(n)`` to the server's reload event, ``rounds`` times (no browser)."""
    connection, response = _events(url)
    try:
        _next_event(response, ("hello",))
        latencies = []
        for number in range(rounds):
            began = time.perf_counter()
            edit(number)
            event = _next_event(response, ("reload", "failed"))
            if event["event"] == "failed":
                raise SystemExit(f"build fallita: {event.get('message')}")
            latencies.append(time.perf_counter() - began)
            time.sleep(1.0)
        return latencies
    finally:
        connection.close()


def _wait(condition: Callable[[], bool], timeout: float = 120) -> bool:
    end = time.perf_counter() + timeout
    while time.perf_counter() < end:
        if condition():
            return True
        time.sleep(0.01)
    return False


def _line_after(server, index: int, prefix: str, timeout: float = 120) -> float | None:
    """When (``time.perf_counter``) the server printed its first line starting with
    ``prefix`` after line ``index``; None if it did not within ``timeout`` seconds."""
    end = time.perf_counter() + timeout
    while time.perf_counter() < end:
        for line, when in zip(server.lines[index:], server.times[index:], strict=False):
            if line.startswith(prefix):
                return when
        time.sleep(0.01)
    return None


def preview_latency(server, page: str, edit: Callable[[int], None], mark: Callable[[int], str],
                    rounds: int = 3) -> list[dict[str, float]]:
    """For each save of the source of ``page`` (open, as in a browser): seconds to the
    reload event, to the whole site being up to date (the server's «Sito aggiornato»
    line, printed once every page is in place) and to its search index being up to
    date (its «Indice di ricerca aggiornato» line). The lines are timed as they arrive;
    after each round the search index is read back: ``mark(n)`` must be in it."""
    from blog.build.search_read import fragments

    connection, response = _events(server.url, page)
    try:
        _next_event(response, ("hello",))
        rounds_seen = []
        for number in range(rounds):
            since = len(server.lines)
            began = time.perf_counter()
            edit(number)
            event = _next_event(response, ("reload", "failed"))
            if event["event"] == "failed":
                raise SystemExit(f"build fallita: {event.get('message')}")
            seen = {"reload": time.perf_counter() - began}
            site = _line_after(server, since, "Sito aggiornato")
            if site is not None:
                seen["site"] = site - began
                search = _line_after(server, since, "Indice di ricerca aggiornato", 60)
                if search is not None:
                    seen["search"] = max(search, site) - began
                    texts = [r["content"] for r in fragments(server.project / "output")]
                    if not any(mark(number) in text for text in texts):
                        raise SystemExit(f"l’indice non contiene «{mark(number)}»")
            rounds_seen.append(seen)
            time.sleep(1.0)
        return rounds_seen
    finally:
        connection.close()


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def browser_latencies(url: str, project: Path, rounds: int) -> dict[str, list[float]]:
    """Save → visible in Chromium: article text, and a stylesheet rule."""
    from playwright.sync_api import sync_playwright

    article = project / ARTICLE
    stylesheet = project / "theme" / "static" / "css" / "site.css"
    original_article = article.read_text(encoding="utf-8")
    original_css = stylesheet.read_text(encoding="utf-8")
    found: dict[str, list[float]] = {"articolo": [], "foglio di stile": []}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(url + PAGE)
            page.wait_for_timeout(1000)
            for number in range(rounds):
                mark = f"Misura numero {number} del benchmark"
                began = time.perf_counter()
                _append(article, f"\n{mark}.\n")
                page.wait_for_function(f"() => document.body.innerText.includes({mark!r})",
                                       timeout=600_000)
                found["articolo"].append(time.perf_counter() - began)
                page.wait_for_timeout(1500)
            for number in range(rounds):
                width = 3 + number
                began = time.perf_counter()
                _append(stylesheet, f"\nbody {{ outline: {width}px solid transparent; }}\n")
                page.wait_for_function(
                    f"() => getComputedStyle(document.body).outlineWidth === '{width}px'",
                    timeout=600_000)
                found["foglio di stile"].append(time.perf_counter() - began)
                page.wait_for_timeout(1500)
            browser.close()
    finally:
        article.write_text(original_article, encoding="utf-8")
        stylesheet.write_text(original_css, encoding="utf-8")
    return found


def _row(label: str, values: list[float]) -> str:
    return (f"| {label} | {statistics.median(values):.2f} s | {min(values):.2f}–"
            f"{max(values):.2f} s | {len(values)} |")


# What ``--versions`` takes from each revision: the livereload loop, its helpers, its task.
SERVE_FILES = ("blog/serve", "blog/build/preview.py", "tasks.py")


def _use_revision(project: Path, revision: str | None) -> None:
    """Put livereload's files of ``revision`` (None: the working tree's) into ``project``."""
    import shutil
    import subprocess

    from tests.sitecopy import ROOT

    for name in SERVE_FILES:
        target = project / name
        if target.is_dir():
            shutil.rmtree(target)
        if revision is None:
            copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy2
            copy(ROOT / name, target)
            continue
        listed = subprocess.run(["git", "ls-tree", "-r", "--name-only", revision, name],
                                cwd=ROOT, capture_output=True, text=True, check=True)
        for path in listed.stdout.split():
            (project / path).parent.mkdir(parents=True, exist_ok=True)
            (project / path).write_bytes(subprocess.run(
                ["git", "show", f"{revision}:{path}"], cwd=ROOT, capture_output=True,
                check=True).stdout)


def synthetic(posts: int, rounds: int, versions: list[str], turns: int) -> int:
    """The ``--posts`` table: medians of save → open page / whole site / search."""
    from benchmarks.bench_build import EDIT_MARK, _edited, edit_article, invoke_build
    from benchmarks.synth import make_site
    from tests.workflow_support import LiveServer

    variants = [("livereload attuale", None) if v == "." else (f"livereload a {v}", v)
                for v in versions]
    seen: dict[str, list[dict[str, float]]] = {label: [] for label, _ in variants}
    with tempfile.TemporaryDirectory(prefix=f"bench-livereload-{posts}-") as tmp:
        project = make_site(Path(tmp) / "progetto", posts)
        invoke_build(project)  # the caches a working author has (kit, cards, Pelican)
        page = f"/{_edited(project).stem}/"
        for turn in range(turns):
            for number, (label, revision) in enumerate(variants):
                _use_revision(project, revision)
                first = 1000 + 100 * (turn * len(variants) + number)  # a new mark each save
                server = LiveServer(project)
                try:
                    time.sleep(5)  # the first build's tidying, before the author's first save
                    seen[label] += preview_latency(
                        server, page, lambda n, first=first: edit_article(project, first + n),
                        lambda n, first=first: f"{EDIT_MARK} numero {first + n}", rounds)
                finally:
                    server.stop()
    print(f"{posts} articoli sintetici, {rounds} salvataggi × {turns} turni per riga "
          "(secondi: mediana, tra parentesi min–max)\n")
    print("| | pagina aperta | sito intero | ricerca |")
    print("|---|---:|---:|---:|")
    for label, runs in seen.items():
        cells = []
        for key in ("reload", "site", "search"):
            values = [r[key] for r in runs if key in r]
            cells.append(f"{statistics.median(values):.2f} ({min(values):.2f}–"
                         f"{max(values):.2f})" if values else "—")
        print(f"| {label} | " + " | ".join(cells) + " |")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description="Latenza salva→ricarica di invoke livereload.")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--url", help="server già avviato (con --project)")
    parser.add_argument("--project", type=Path, help="cartella del progetto servito")
    parser.add_argument("--posts", type=int, help="sito sintetico di N articoli")
    parser.add_argument("--versions", default=".",
                        help="con --posts: revisioni git da confrontare (.: quella attuale)")
    parser.add_argument("--turns", type=int, default=1, help="con --posts: turni per versione")
    args = parser.parse_args()
    if args.posts:
        return synthetic(args.posts, args.rounds, args.versions.split(","), args.turns)

    server = None
    tmp = None
    if args.url:
        url, project = args.url.rstrip("/"), args.project
    else:
        from tests.sitecopy import copy_project
        from tests.workflow_support import LiveServer

        tmp = tempfile.TemporaryDirectory(prefix="bench-livereload-")
        project = copy_project(Path(tmp.name) / "progetto")
        server = LiveServer(project)
        url = server.url
    pages = sum(1 for _ in (project / "content").rglob("*.md"))
    try:
        since = len(server.lines) if server else 0
        results = browser_latencies(url, project, args.rounds)
        rebuilds = []
        if server is not None:
            rebuilds = [float(m.group(1).replace(",", ".")) for line in server.lines[since:]
                        if line.startswith("Sito aggiornato")
                        for m in [re.search(r", ([\d,]+) s \(kit", line)] if m]
    finally:
        if server is not None:
            server.stop()
        if tmp is not None:
            tmp.cleanup()
    print(f"Sito attuale ({pages} file Markdown), Chromium, {args.rounds} salvataggi per riga\n")
    print("| modifica | salva→visibile (mediana) | min–max | misure |")
    print("|---|---:|---:|---:|")
    for label, values in results.items():
        print(_row(label, values))
    if rebuilds:
        print(_row("ricostruzione lato server (tutte)", rebuilds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
