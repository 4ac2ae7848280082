"""Build timings at several site sizes, ours beside bare Pelican 4.12, in one table.

Usage: ``python -m benchmarks.bench_build [--sizes 100,1000,5000] [--no-livereload]
[--against REV] [--search] [--docs]`` (or ``invoke bench``). For each size a synthetic
project (``benchmarks/synth.py``) is built with the author's own commands in a temporary
folder:

- cold: ``invoke build`` on a fresh copy with no caches at all (kit, Pelican, cards);
- warm: ``invoke build`` again, nothing changed;
- edit: one article changed, ``invoke build``;
- livereload: ``invoke livereload`` running, a client of its event stream like a
  browser; median seconds from saving an article to the reload message (3 saves);
- bare Pelican: the same content, default theme, no plugins, content cache on
  (``Template:`` lines removed), ``pelican`` cold, warm and after the same edit;
- ``--against REV``: the same measurements, in the same run, for the project as it was
  at git revision ``REV`` (a temporary worktree, its own synthetic copy, this venv);
- ``--search``: a reader's first search in Chromium on the production site beside plain
  Pagefind on the same site (``benchmarks/bench_search.py``);
- ``--photos``: posts with 10 and 100 phone photos, cold, after a text edit and after a
  photo replaced (``benchmarks/bench_images.py``), as a second table;
- ``--docs``: also write the table into ``docs/benchmarks.md`` (between its markers).

Each build runs as a child process: wall seconds, CPU seconds of the process tree
(``RUSAGE_CHILDREN``) and the peak resident memory of the whole tree (the sum over the
build and its children, sampled from ``/proc`` every 20 ms). Cards, kit and search come
from the build's own step lines and log. Prints one Markdown table.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.bench_livereload import preview_latency
from benchmarks.synth import make_bare, make_site

EDIT_MARK = "Paragrafo aggiunto dal benchmark"
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


TICKS = os.sysconf("SC_CLK_TCK")


def _tree_rss(root: int, cpu: dict[int, float] | None = None) -> int:
    """Bytes resident in ``root`` and all its descendants right now; ``cpu``: each
    descendant's CPU seconds so far, by pid (a worker of multiprocessing's fork server
    is nobody's waited-for child, so ``RUSAGE_CHILDREN`` never counts it)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        parents[pid] = int(stat[1])
        rss[pid] = int(stat[21]) * PAGE_SIZE
        ticks[pid] = int(stat[11]) + int(stat[12])
    total = 0
    for pid in rss:
        node = pid
        while node > 1:
            if node == root:
                total += rss[pid]
                if cpu is not None:
                    cpu[pid] = max(cpu.get(pid, 0.0), ticks[pid] / TICKS)
                break
            node = parents.get(node, 0)
    return total


@dataclass
class Run:
    wall: float
    cpu: float
    peak: int = 0
    phases: dict[str, float] = field(default_factory=dict)
    pages: int = 0
    stdout: str = ""


def run_measured(command: list[str], cwd: Path) -> Run:
    """Run ``command``; wall, tree CPU and tree peak memory; stop the bench if it fails."""
    cpu, began = _children_cpu(), time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    peak = [0]
    tree_cpu: dict[int, float] = {}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(process.pid, tree_cpu))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, _ = process.communicate()
    done.set()
    sampler.join()
    # The larger of what the waited-for children report and what the samples saw (the
    # fork server's workers; a process's last 20 ms are missed there).
    run = Run(time.perf_counter() - began, max(_children_cpu() - cpu, sum(tree_cpu.values())),
              peak[0], stdout=stdout)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} fallito in {cwd}:\n{stdout}")
    return run


def _seconds(text: str) -> float:
    """``"3,1 s"`` or ``"2 min 05 s"`` (blog.report.seconds_it) → seconds."""
    found = re.match(r"(?:(\d+) min )?([\d,]+) s", text.strip())
    if not found:
        return 0.0
    return 60 * int(found.group(1) or 0) + float(found.group(2).replace(",", "."))


STEPS = {"Sito": "pelican", "Indice": "search"}


def invoke_build(project: Path) -> Run:
    log = project / ".cache" / "ultima-build.log"
    log.unlink(missing_ok=True)  # a skipped build writes none: no stale card line
    run = run_measured([sys.executable, "-m", "invoke", "build"], project)
    step = None
    for line in run.stdout.splitlines():
        header = re.match(r"\[\d+/\d+\] (\w+)", line)
        if header:
            step = STEPS.get(header.group(1))
        elif step and line.strip().startswith("fatto in "):
            run.phases[step] = _seconds(line.strip()[len("fatto in "):])
            step = None
    found = re.search(r"(\d+) pagine HTML", run.stdout)
    run.pages = int(found.group(1)) if found else 0
    text = log.read_text(encoding="utf-8") if log.is_file() else ""
    cards = re.search(r"og_image: (\d+) immagini \((\d+) disegnate.*? in ([\d.]+) s", text)
    if cards:
        run.phases["cards"] = float(cards.group(3))
        run.phases["cards_drawn"] = int(cards.group(2))
        run.phases["cards_total"] = int(cards.group(1))
    return run


def pelican_build(project: Path) -> Run:
    return run_measured([sys.executable, "-m", "pelican", "content", "-s", "pelicanconf.py",
                         "-o", "output", "-q"], project)


def _edited(project: Path) -> Path:
    return sorted((project / "content" / "articles").glob("articolo-sintetico-*.md"))[0]


def edit_article(project: Path, number: int) -> None:
    with _edited(project).open("a", encoding="utf-8") as handle:
        handle.write(f"\n{EDIT_MARK} numero {number}.\n")


def livereload_latency(project: Path, rounds: int = 3) -> dict[str, float]:
    """Median seconds from saving the article open in the browser to: its reload, the
    whole new site live, its search index up to date."""
    from tests.workflow_support import LiveServer

    page = f"/{_edited(project).stem}/"
    server = LiveServer(project)
    try:
        # The first build's background work (older versions, the staging folder of
        # in-place updates) is done before the first save, as when the author opens
        # the editor after starting the server.
        time.sleep(5)
        seen = preview_latency(server, page, lambda n: edit_article(project, 1000 + n),
                               lambda n: f"{EDIT_MARK} numero {1000 + n}", rounds)
    finally:
        server.stop()
    return {key: statistics.median(r[key] for r in seen if key in r)
            for key in ("reload", "site", "search") if any(key in r for r in seen)}


def _synthetic(tree: Path | None, dest: Path, size: int) -> Path:
    """A synthetic project of ``size`` posts made from this checkout or from ``tree``
    (another checkout: its own ``benchmarks/synth.py`` copies it)."""
    if tree is None:
        project = make_site(dest, size)
    else:
        subprocess.run([sys.executable, "-m", "benchmarks.synth", str(dest), "--posts",
                        str(size)], cwd=tree, check=True, capture_output=True,
                       env=os.environ | {"PYTHONPATH": str(tree)})
        project = dest
    for cache in ("kit", "kit-publish"):  # a fresh clone: the kit is rendered too
        subprocess.run(["rm", "-rf", str(project / ".cache" / cache)], check=True)
    return project


def _builds(project: Path, row: dict[str, object], prefix: str, with_livereload: bool) -> None:
    row[f"{prefix}cold"] = invoke_build(project)
    row[f"{prefix}warm"] = invoke_build(project)
    edit_article(project, 1)
    row[f"{prefix}edit"] = invoke_build(project)
    if with_livereload:
        row[f"{prefix}livereload"] = livereload_latency(project)


def bench(size: int, with_livereload: bool, against: Path | None = None,
          search: bool = False) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix=f"bench-{size}-") as tmp:
        project = _synthetic(None, Path(tmp) / "progetto", size)
        bare = make_bare(Path(tmp) / "pelican", project)
        row: dict[str, object] = {"size": size}
        _builds(project, row, "", with_livereload)
        if against is not None:
            _builds(_synthetic(against, Path(tmp) / "prima", size), row, "before_",
                    with_livereload)
        row["bare_cold"] = pelican_build(bare)
        row["bare_warm"] = pelican_build(bare)
        edit_article(bare, 1)
        row["bare_edit"] = pelican_build(bare)
        if search:
            from benchmarks.bench_search import first_search

            row["search"] = first_search(project)
        return row


@contextlib.contextmanager
def worktree(revision: str | None) -> Iterator[Path | None]:
    """A temporary git worktree of ``revision`` (None: nothing)."""
    if revision is None:
        yield None
        return
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory(prefix="bench-prima-") as tmp:
        tree = Path(tmp) / "albero"
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), revision], cwd=root,
                       check=True, capture_output=True)
        try:
            yield tree
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=root,
                           check=False, capture_output=True)


def _num(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}".replace(",", " ").replace(".", ",")


def _cell(run: Run) -> str:
    return f"{_num(run.wall)} s (CPU {_num(run.cpu)})"


def _ratio(ours: Run, bare: Run) -> str:
    return f"{_num(ours.wall / bare.wall, 2)}× (CPU {_num(ours.cpu / bare.cpu, 2)}×)"


def table(rows: list[dict]) -> list[str]:
    """The Markdown table: one column per size."""
    head = "| | " + " | ".join(f"{row['size']:,} articoli".replace(",", ".")
                               for row in rows) + " |"
    lines = [head, "|---|" + "---:|" * len(rows)]

    def line(label: str, cell) -> None:
        lines.append(f"| {label} | " + " | ".join(cell(row) for row in rows) + " |")

    before = any("before_cold" in row for row in rows)
    line("pagine HTML", lambda r: str(r["cold"].pages))
    for key, label in (("cold", "a freddo"), ("warm", "a caldo, nulla cambiato"),
                       ("edit", "dopo 1 articolo modificato")):
        line(f"**{label}**: nostra", lambda r, k=key: _cell(r[k]))
        if before:
            line(f"{label}: prima (revisione di confronto)",
                 lambda r, k=key: _cell(r[f"before_{k}"]))
            line(f"{label}: nostra ÷ prima", lambda r, k=key: _ratio(r[k], r[f"before_{k}"]))
        line(f"{label}: Pelican nudo", lambda r, k=key: _cell(r[f"bare_{k}"]))
        line(f"{label}: rapporto", lambda r, k=key: _ratio(r[k], r[f"bare_{k}"]))
    for prefix, label in (("", "nostra"), ("before_", "prima")):
        if prefix and not before:
            continue
        line(f"livereload ({label}): salva → pagina aperta ricaricata / sito intero / ricerca",
             lambda r, p=prefix: _latencies(r.get(f"{p}livereload")))
    if any("search" in row for row in rows):
        from benchmarks.bench_search import cells

        for kind, label in (("production", "produzione"), ("plain", "Pagefind semplice"),
                            ("dev", "sviluppo, in parti")):
            line(f"prima ricerca di un lettore: {label}",
                 lambda r, k=kind: cells(r["search"])[k] if "search" in r else "—")
    line("picco memoria (albero processi): nostra / Pelican",
         lambda r: f"{r['cold'].peak // 2**20} MB / {r['bare_cold'].peak // 2**20} MB")
    line("card a freddo (disegnate, ms/card)", lambda r: _cards(r["cold"]))
    line("card a caldo", lambda r: _cards(r["warm"]))
    line("sito e kit (Pelican, nostra) a freddo / a caldo",
         lambda r: f"{_num(r['cold'].phases.get('pelican', 0))} s / "
                   f"{_num(r['warm'].phases.get('pelican', 0))} s")
    line("ricerca (Pagefind) a freddo / a caldo / dopo modifica",
         lambda r: " / ".join(f"{_num(r[k].phases.get('search', 0))} s"
                              for k in ("cold", "warm", "edit")))
    return lines


def _latencies(seen: dict[str, float] | None) -> str:
    if not seen:
        return "—"
    return " / ".join(f"{_num(seen[k], 2)} s" if k in seen else "—"
                      for k in ("reload", "site", "search"))


def write_docs(lines: list[str], docs: Path) -> None:
    """Put ``lines`` between the generated-table markers of ``docs``."""
    text = docs.read_text(encoding="utf-8")
    begin = text.index("<!-- BEGIN GENERATED")
    begin = text.index("\n", begin) + 1
    end = text.index("<!-- END GENERATED -->")
    docs.write_text(text[:begin] + "\n".join(lines) + "\n" + text[end:], encoding="utf-8")


def _cards(run: Run) -> str:
    total = run.phases.get("cards_total", 0)
    if not total:
        return "—"
    seconds = run.phases.get("cards", 0)
    drawn = int(run.phases.get("cards_drawn", 0))
    per = f", {_num(1000 * seconds / drawn)} ms/card" if drawn else ""
    return f"{_num(seconds, 2)} s ({drawn} di {int(total)}{per})"


def main() -> int:
    parser = argparse.ArgumentParser(description="Tempi di build per dimensione del sito.")
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--no-livereload", action="store_true")
    parser.add_argument("--against", help="git revision measured beside this checkout")
    parser.add_argument("--search", action="store_true",
                        help="a reader's first search, ours beside plain Pagefind")
    parser.add_argument("--photos", action="store_true", help="10 and 100 phone photos")
    parser.add_argument("--docs", action="store_true", help="write docs/benchmarks.md")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    load = os.getloadavg()[0]
    rows = []
    with worktree(args.against) as tree:
        for size in sizes:
            print(f"… {size} articoli", file=sys.stderr, flush=True)
            rows.append(bench(size, not args.no_livereload, tree, args.search))
    against = f", prima = revisione {args.against}" if args.against else ""
    note = (f"Secondi di orologio (tra parentesi: CPU del processo e dei figli), "
            f"{os.cpu_count()} core, carico medio all’inizio {load:.1f}, "
            f"{time.strftime('%Y-%m-%d')}{against}. "
            "Rapporto = nostra ÷ Pelican nudo (tema predefinito, nessun plugin, cache attiva).")
    lines = [*table(rows), "", note]
    if args.photos:
        from benchmarks.bench_images import bench_photos
        from benchmarks.bench_images import table as photo_table

        lines += ["", *photo_table(bench_photos())]
    print("\n".join(lines))
    if args.docs:
        write_docs(lines, Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
