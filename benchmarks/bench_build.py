"""Build timings at several site sizes: cold, warm, one-article edit, livereload latency.

Usage: ``python -m benchmarks.bench_build [--sizes 100,1000] [--no-livereload]``
(or ``invoke bench``). For each size a synthetic project (``benchmarks/synth.py``) is
built with the author's own commands in a temporary folder:

- cold: ``invoke build`` with no Pelican cache (the kit cache is kept: the kit has its
  own benchmark, ``bench_kit.py``);
- warm: ``invoke build`` again, caches full;
- edit: one article changed, ``invoke build``;
- livereload: ``invoke livereload`` running, a client of its event stream like a
  browser; time from saving an article to the reload message (median of 3), and the
  rebuild time the server reports.

Times are wall-clock and, in brackets, CPU seconds of all child processes (steadier on
a busy machine). Pelican's, the kit's and Pagefind's shares come from the build's own
step lines. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from benchmarks.bench_livereload import reload_latency  # noqa: E402
from benchmarks.synth import make_site  # noqa: E402

EDIT_MARK = "Paragrafo aggiunto dal benchmark"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Run:
    wall: float
    cpu: float
    phases: dict[str, float] = field(default_factory=dict)
    pages: int = 0

    def cell(self) -> str:
        return f"{self.wall:.1f} s ({self.cpu:.1f})"


def _seconds(text: str) -> float:
    return float(text.replace(",", "."))


def invoke_build(project: Path) -> Run:
    cpu, began = _children_cpu(), time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "invoke", "build"], cwd=project,
                            capture_output=True, text=True, check=False)
    run = Run(time.perf_counter() - began, _children_cpu() - cpu)
    if result.returncode != 0:
        raise SystemExit(f"invoke build fallito in {project}:\n{result.stdout}{result.stderr}")
    names = iter(("kit", "pelican", "pagefind"))
    for match in re.finditer(r"fatto in ([\d,]+) s", result.stdout):
        run.phases[next(names, "altro")] = _seconds(match.group(1))
    found = re.search(r"(\d+) pagine HTML", result.stdout)
    run.pages = int(found.group(1)) if found else 0
    return run


def edit_article(project: Path, number: int) -> None:
    article = sorted((project / "content" / "articles").glob("articolo-sintetico-*.md"))[0]
    with article.open("a", encoding="utf-8") as handle:
        handle.write(f"\n{EDIT_MARK} numero {number}.\n")


def livereload_latency(project: Path, rounds: int = 3) -> tuple[float, float]:
    """Median seconds from save to reload message, and median server-side rebuild."""
    from tests.workflow_support import LiveServer

    server = LiveServer(project)
    try:
        since = len(server.lines)
        latencies = reload_latency(server.url, lambda n: edit_article(project, 1000 + n), rounds)
        rebuilds = [_seconds(m.group(1)) for line in server.lines[since:]
                    if line.startswith("Sito aggiornato")
                    for m in [re.search(r", ([\d,]+) s \(kit", line)] if m]
    finally:
        server.stop()
    return statistics.median(latencies), statistics.median(rebuilds) if rebuilds else 0.0


def bench(size: int, with_livereload: bool) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix=f"bench-{size}-") as tmp:
        project = make_site(Path(tmp) / "progetto", size)
        cold = invoke_build(project)
        warm = invoke_build(project)
        edit_article(project, 1)
        edit = invoke_build(project)
        row: dict[str, object] = {"size": size, "pages": cold.pages, "cold": cold,
                                  "warm": warm, "edit": edit}
        if with_livereload:
            row["livereload"] = livereload_latency(project)
        return row


def main() -> int:
    parser = argparse.ArgumentParser(description="Tempi di build per dimensione del sito.")
    parser.add_argument("--sizes", default="100,1000")
    parser.add_argument("--no-livereload", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    rows = []
    for size in sizes:
        print(f"… {size} articoli", file=sys.stderr, flush=True)
        rows.append(bench(size, not args.no_livereload))

    print("| articoli | pagine HTML | build a freddo | build a caldo | dopo 1 modifica "
          "| Pelican a freddo / a caldo | Pagefind | livereload: salva→ricarica "
          "(ricostruzione) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        cold, warm, edit = row["cold"], row["warm"], row["edit"]
        assert isinstance(cold, Run) and isinstance(warm, Run) and isinstance(edit, Run)
        live = row.get("livereload")
        live_cell = f"{live[0]:.1f} s ({live[1]:.1f} s)" if isinstance(live, tuple) else "—"
        print(f"| {row['size']} | {row['pages']} | {cold.cell()} | {warm.cell()} "
              f"| {edit.cell()} | {cold.phases.get('pelican', 0):.1f} / "
              f"{warm.phases.get('pelican', 0):.1f} s | {warm.phases.get('pagefind', 0):.1f} s "
              f"| {live_cell} |")
    print("\nTempi: secondi di orologio (tra parentesi: CPU dei processi figli). "
          "Il kit è in cache in tutte le righe (vedi bench_kit.py).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
