"""Build the site into a staging folder and swap it in only when the build succeeded.

A failed build (broken front matter, dead link, template error, kit error) leaves
the last good ``output/`` exactly as it was.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class BuildFailed(Exception):
    """Pelican (or a post-processing step) failed; the previous output is untouched."""


@dataclass(frozen=True)
class BuildSummary:
    output: Path
    html_pages: int
    files: int
    seconds: float

    def line(self, prefix: str = "") -> str:
        """``Sito pronto in output/: 39 pagine HTML, kit 14 pagine 167 kB, 1,0 s``."""
        from buildtools.report import site_summary

        label = prefix or f"Sito pronto in {self.output.name}/"
        return site_summary(label, self.output, self.seconds)


def run_pelican(
    settings: Path,
    output: Path,
    extra_args: Sequence[str] = (),
    env: Mapping[str, str | None] | None = None,
    retry_on_broken_cache: bool = True,
) -> None:
    """Run Pelican in a child process with warnings fatal; raise BuildFailed on error.

    Pelican's own messages stream through; the Python traceback that follows a
    fatal error is kept out of the author's way, in ``.cache/ultima-build.log``.
    ``env`` adds variables to the child's environment (``None`` removes one).
    """
    cmd = [
        sys.executable, "-m", "pelican", str(ROOT / "content"),
        "-s", str(settings), "-o", str(output), "--fatal", "warnings",
        *extra_args,
    ]
    child_env = os.environ | {"COLUMNS": "200", "PYTHONUNBUFFERED": "1"}
    for name, value in (env or {}).items():
        if value is None:
            child_env.pop(name, None)
        else:
            child_env[name] = value
    log_path = ROOT / ".cache" / "ultima-build.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    echo = True
    project_frames: list[str] = []
    with log_path.open("w", encoding="utf-8") as log, subprocess.Popen(
        cmd, cwd=ROOT, env=child_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, encoding="utf-8", errors="replace",
    ) as child:
        assert child.stdout is not None
        for line in child.stdout:
            log.write(line)
            if echo:
                sys.stdout.write(line)
                sys.stdout.flush()
            if "CRITICAL" in line:
                echo = False
            elif not echo and (frame := _project_frame(line)):
                project_frames.append(frame)
    if child.returncode != 0:
        if retry_on_broken_cache and _broken_cache(log_path):
            cache = _cache_path(extra_args)
            print(f"La cache di Pelican in {cache} era rovinata (una build interrotta?): "
                  "la cancello e riprovo.", flush=True)
            shutil.rmtree(cache, ignore_errors=True)
            shutil.rmtree(output, ignore_errors=True)
            output.mkdir(parents=True)
            run_pelican(settings, output, extra_args, env, retry_on_broken_cache=False)
            return
        if project_frames:
            # The innermost frame in our own files (a template, a plugin) is where to look.
            print(f"      → {project_frames[-1]}")
        raise BuildFailed(
            f"Pelican è uscito con codice {child.returncode}; log completo in "
            f"{log_path.relative_to(ROOT)}"
        )


def _broken_cache(log_path: Path) -> bool:
    """Did Pelican die unpickling its content cache (a build killed while saving it)?"""
    try:
        log = log_path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return "pelican/cache.py" in log and any(
        error in log for error in ("EOFError", "UnpicklingError", "pickle data was truncated"))


def _cache_path(extra_args: Sequence[str]) -> Path:
    args = list(extra_args)
    if "--cache-path" in args[:-1]:
        return Path(args[args.index("--cache-path") + 1])
    return ROOT / ".cache" / "pelican"


_FRAME = re.compile(r'File "(?P<path>[^"]+)", line (?P<line>\d+)')


def _project_frame(line: str) -> str | None:
    """``path:line`` of a traceback frame in the project's own files, else None."""
    match = _FRAME.search(line)
    if not match:
        return None
    path = Path(match["path"])
    if not path.is_relative_to(ROOT) or ".venv" in path.parts:
        return None
    return f"{path.relative_to(ROOT)}:{match['line']}"


def swap_in(staging: Path, output: Path) -> None:
    """Replace ``output`` with ``staging`` using two renames on the same filesystem."""
    old = None
    if output.exists():
        old = output.with_name(f"{output.name}.old-{os.getpid()}")
        os.replace(output, old)
    os.replace(staging, output)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def staged_build(
    settings: Path,
    output: Path,
    post_steps: Sequence[Callable[[Path], None]] = (),
    extra_args: Sequence[str] = (),
    env: Mapping[str, str | None] | None = None,
) -> BuildSummary:
    """Build into a fresh sibling of ``output``, run ``post_steps`` on it, then swap it in."""
    started = time.perf_counter()
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.staging-", dir=output.parent))
    try:
        run_pelican(settings, staging, extra_args, env)
        for step in post_steps:
            step(staging)
        staging.chmod(0o755)
        swap_in(staging, output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    files = [p for p in output.rglob("*") if p.is_file()]
    return BuildSummary(
        output=output,
        html_pages=sum(1 for p in files if p.suffix == ".html"),
        files=len(files),
        seconds=time.perf_counter() - started,
    )
