"""Benchmark the kit build: cold render, cached no-op, PDF bytes, pages, fields.

Usage: ``python -m benchmarks.bench_kit [--repeat N]``. Prints a table; each time is the
median of N runs, as wall-clock and CPU seconds (CPU is steadier on a busy machine).
"process" rows run the CLI in a fresh interpreter (what ``invoke kit`` costs, imports
included); "in-process" rows time ``build_kit`` alone with the imports already warm.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from blog.build.settings import local_plugin
from blog.paths import ROOT

kit_pdf = local_plugin("kit_pdf")

CLI = (
    "import sys; from blog.build.settings import local_plugin; kit_pdf = local_plugin('kit_pdf'); "
    "raise SystemExit(kit_pdf.main(sys.argv[1:]))"
)

Sample = tuple[float, float]  # (wall seconds, CPU seconds)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run_cli(*args: str) -> Sample:
    cpu, start = _children_cpu(), time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", CLI, *args], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return time.perf_counter() - start, _children_cpu() - cpu


def _timed(func: Callable[[], object]) -> Sample:
    cpu, start = time.process_time(), time.perf_counter()
    func()
    return time.perf_counter() - start, time.process_time() - cpu


def _median(samples: list[Sample], unit: str = "s") -> str:
    scale = 1000 if unit == "ms" else 1
    wall = statistics.median(s[0] for s in samples) * scale
    cpu = statistics.median(s[1] for s in samples) * scale
    digits = 1 if unit == "ms" else 2
    return f"{wall:.{digits}f} {unit} (CPU {cpu:.{digits}f} {unit})"


def main(argv: list[str]) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    source = ROOT / "kit"
    repeat = range(args.repeat)

    with tempfile.TemporaryDirectory(prefix="bench-kit-") as tmp:
        cache = Path(tmp) / "cache"
        cache_arg = ["--source", str(source), "--cache", str(cache)]
        cold_process = [_run_cli("--force", *cache_arg) for _ in repeat]
        noop_process = [_run_cli(*cache_arg) for _ in repeat]

        kit_pdf.build_kit(source, cache)  # warm the imports
        cold_inproc = [_timed(lambda: kit_pdf.build_kit(source, cache, force=True)) for _ in repeat]
        noop_inproc = [_timed(lambda: kit_pdf.build_kit(source, cache)) for _ in repeat]
        info = kit_pdf.build_kit(source, cache)
        pictures = {path.name: path.stat().st_size for path, _ in info.files()[1:]}

    rows = [
        ("cold render (process, --force)", _median(cold_process)),
        ("cold render (in-process)", _median(cold_inproc)),
        ("cached no-op (process)", _median(noop_process)),
        ("cached no-op (in-process)", _median(noop_inproc, "ms")),
        ("PDF bytes", f"{info.size_bytes} ({info.size_label})"),
        ("pages", str(info.pages)),
        ("form fields", str(info.fields)),
        ("preview", f"{info.preview_width}×{info.preview_height} px"),
        ("pictures (bytes)", ", ".join(f"{name} {size}" for name, size in pictures.items())),
        ("embedded fonts", ", ".join(sorted(name.split("+")[-1] for name in info.fonts))),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"Kit benchmark (median of {args.repeat})")
    print(f"{'metric'.ljust(width)} | value")
    print(f"{'-' * width}-|------")
    for name, value in rows:
        print(f"{name.ljust(width)} | {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
