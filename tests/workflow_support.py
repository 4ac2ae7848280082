"""Helpers for the workflow tests: bounded waits, a background ``invoke livereload``,
git-initialised project copies."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

FIXED_COMMIT_DATE = "2026-11-20T10:00:00+01:00"


def wait_for(predicate: Callable[[], object], timeout: float, what: str, every: float = 0.1):
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"dopo {timeout:.0f} s ancora niente: {what}")
        time.sleep(every)


class LiveServer:
    """``invoke livereload --port 0`` in a project copy, its output collected line by line."""

    def __init__(self, project: Path, *args: str) -> None:
        self.project = project
        env = os.environ | {"PYTHONUNBUFFERED": "1", "COLUMNS": "200"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "invoke", "livereload", "--port", "0", *args],
            cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, encoding="utf-8", errors="replace", start_new_session=True,
        )
        self.lines: list[str] = []
        self.times: list[float] = []  # time.perf_counter() when each line arrived
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        found = wait_for(self._url, 180, "il server livereload non dice «In ascolto su»")
        self.url: str = found

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.times.append(time.perf_counter())
            self.lines.append(line.rstrip("\n"))

    def _url(self) -> str | None:
        if self.proc.poll() is not None and not self._reader.is_alive():
            raise AssertionError("livereload è terminato:\n" + self.log())
        for line in self.lines:
            match = re.search(r"In ascolto su (http://127\.0\.0\.1:\d+)/", line)
            if match:
                return match.group(1)
        return None

    def log(self, since: int = 0) -> str:
        return "\n".join(self.lines[since:])

    def wait_line(self, pattern: str, since: int, timeout: float = 120) -> str:
        """The first line after index ``since`` matching ``pattern`` (regex)."""
        def find() -> str | None:
            for line in self.lines[since:]:
                if re.search(pattern, line):
                    return line
            return None
        try:
            return wait_for(find, timeout, f"una riga «{pattern}» nel log di livereload")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- log ---\n{self.log(since)}") from None

    def stop(self) -> str:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)
        self._reader.join(timeout=10)
        return self.log()


def git(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """Run git with a fixed identity and commit date; fail loudly."""
    env = os.environ | {
        "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.invalid",
        "GIT_AUTHOR_DATE": FIXED_COMMIT_DATE, "GIT_COMMITTER_DATE": FIXED_COMMIT_DATE,
    }
    result = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, f"git {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result


def init_git(project: Path) -> None:
    """Make a project copy a git repository with one commit (as the author's is)."""
    git(project, "init", "--quiet", "--initial-branch=main")
    (project / ".gitignore").write_text("output/\n.cache/\n__pycache__/\n", encoding="utf-8")
    git(project, "add", "-A")
    git(project, "commit", "--quiet", "-m", "sorgenti")
