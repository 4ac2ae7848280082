"""How long ``invoke stats`` takes on a synthetic access log (100,000 lines by default).

``python -m benchmarks.bench_stats [--lines N] [--runs 3]`` writes the log of
benchmarks/synth_access_log.py into a temporary folder, then measures, best of the runs:
reading and counting, writing the report, and the whole ``invoke stats`` process as the
author starts it (Python, invoke and the imports included).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from benchmarks.synth_access_log import write_log
from blog.build.settings import settings_file_values
from blog.paths import PUBLISH_SETTINGS, ROOT
from blog.stats.count import count
from blog.stats.parse import LineCount, read_hits
from blog.stats.render import write_report
from blog.stats.site import site_facts


def _best(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    settings = settings_file_values(PUBLISH_SETTINGS)
    with tempfile.TemporaryDirectory(prefix="bench-stats-") as temporary:
        folder = Path(temporary)
        facts_started = time.perf_counter()
        facts = site_facts(ROOT, settings)
        facts_seconds = time.perf_counter() - facts_started
        files, _truth = write_log(folder / "log", sorted(facts.articles), args.lines)
        numbers = None

        def counting() -> None:
            nonlocal numbers
            lines = LineCount()
            numbers = count(read_hits(files, lines), facts, lines)

        count_seconds = _best(args.runs, counting)
        render_seconds = _best(args.runs, lambda: write_report(
            numbers, facts, folder / "rapporto", siteurl=str(settings.get("SITEURL")),
            files=("qui", [path.name for path in files]), now=datetime.now()))
        command = [sys.executable, "-m", "invoke", "stats", "--log", f"{folder}/log/access.log*",
                   "--output", str(folder / "rapporto")]
        whole_seconds = _best(args.runs, lambda: subprocess.run(
            command, cwd=ROOT, check=True, capture_output=True))
    lines = f"{args.lines:,}".replace(",", ".")
    print(f"invoke stats su {lines} righe ({len(files)} file), migliore di {args.runs}:")
    for label, seconds in (("il sito (titoli, edizioni del kit)", facts_seconds),
                           ("lettura e conteggi", count_seconds),
                           ("rapporto HTML", render_seconds),
                           ("invoke stats, tutto il processo", whole_seconds)):
        print(f"  {label:<36} {seconds:6.2f} s".replace(".", ","))


if __name__ == "__main__":
    main()
