"""Failures the machine or another command causes, said in Italian, never «difetto del
codice»: a damaged check memo, ``invoke clean`` during a build (it waits), a build that
waits for another (it says so), a permission refused (a versions folder made by
``sudo invoke build``; run by a user who is not root, a read-only one)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.faults_support import EPOCH, digest, edit
from tests.sitecopy import copy_project, invoke
from tests.workflow_support import wait_for

pytestmark = pytest.mark.slow

NOISE = ("Traceback", "difetto del codice", "errore interno", "Errno")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("messaggi") / "project")
    result = invoke(project, "build", env=EPOCH)
    assert result.returncode == 0, result.stdout + result.stderr
    return project


def _quiet(said: str) -> None:
    for noise in NOISE:
        assert noise not in said, f"{noise!r}:\n{said}"


def _slow_build(project: Path, *args: str) -> subprocess.Popen:
    """``invoke build`` with the kit to render again (a few seconds), started now."""
    kit = project / "kit" / "kit.yaml"
    kit.write_text(kit.read_text(encoding="utf-8") + f"\n# {time.time_ns()}\n",
                   encoding="utf-8")
    return subprocess.Popen([sys.executable, "-m", "invoke", "build", *args], cwd=project,
                            env=os.environ | EPOCH, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def _running(project: Path, before: set[str]) -> None:
    """Wait until the build has made its new version (it holds the locks then)."""
    versions = project / ".output.versions"
    wait_for(lambda: {p.name for p in versions.iterdir()} - before, 60,
             "la build non ha creato la sua versione")


def test_a_damaged_check_memo_is_said_and_made_again(project: Path) -> None:
    memo = project / ".cache" / "controlli" / "memo.json"
    memo.parent.mkdir(parents=True, exist_ok=True)
    memo.write_text("[]", encoding="utf-8")
    result = invoke(project, "check", "--quick")
    said = result.stdout + result.stderr
    _quiet(said)
    assert "memo.json dei controlli era danneggiata" in said, said
    assert result.returncode == 0, said


def test_a_build_waiting_for_another_says_so(project: Path) -> None:
    versions = {p.name for p in (project / ".output.versions").iterdir()}
    first = _slow_build(project)
    _running(project, versions)
    second = invoke(project, "build", "--force", env=EPOCH)
    out, _ = first.communicate(timeout=300)
    assert first.returncode == 0, out
    said = second.stdout + second.stderr
    assert second.returncode == 0, said
    assert said.splitlines()[0] == "Aspetto che finisca un’altra build di output/…", said


def test_clean_during_a_build_waits_for_it(project: Path) -> None:
    versions = {p.name for p in (project / ".output.versions").iterdir()}
    building = _slow_build(project)
    _running(project, versions)
    clean = invoke(project, "clean")
    out, _ = building.communicate(timeout=300)
    _quiet(out)
    assert building.returncode == 0, out  # never cut short by clean
    assert "Aspetto che finiscano le build in corso" in clean.stdout, clean.stdout
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert not (project / ".cache").exists() and not (project / "output").is_symlink()
    result = invoke(project, "build", env=EPOCH)  # the module's project, built again
    assert result.returncode == 0, result.stdout + result.stderr


def _as_another_user(project: Path) -> list[str]:
    """The versions folder made unusable for the user who builds next; the command prefix
    that builds as that user. As root (CI): the project given to nobody, the folder left
    to root, as ``sudo invoke build`` leaves it, and the build run as nobody (setpriv).
    As any other user: the folder made read-only (chmod), the build run as oneself."""
    versions = project / ".output.versions"
    if os.geteuid() != 0:
        versions.chmod(0o555)
        return []
    setpriv = shutil.which("setpriv")
    assert setpriv is not None, \
        "manca setpriv (pacchetto Debian util-linux) per far girare la build come nobody"
    subprocess.run(["chown", "-R", "65534:65534", str(project)], check=True)
    os.chown(versions, 0, 0)
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]


def test_a_folder_the_author_cannot_write_is_named_with_what_to_do() -> None:
    # Outside pytest's temporary folder (0700 to every other user).
    base = Path(tempfile.mkdtemp(prefix="permessi-"))
    project = base / "project"
    try:
        base.chmod(0o755)
        copy_project(project)
        assert invoke(project, "build", env=EPOCH).returncode == 0
        prefix = _as_another_user(project)
        edit(project, "Segno-permessi")
        before = digest(project / "output")
        result = subprocess.run(
            [*prefix, sys.executable, "-m", "invoke", "build"], cwd=project,
            capture_output=True, text=True, env=os.environ | EPOCH | {"HOME": str(project)},
            check=False)
        said = result.stdout + result.stderr
        _quiet(said)
        assert result.returncode != 0, said
        assert ".output.versions: permesso negato: la cartella non si può usare con " \
               "l’utente attuale" in said, said
        assert "chown" in said and digest(project / "output") == before
    finally:
        with contextlib.suppress(OSError):
            (project / ".output.versions").chmod(0o755)  # for the removal below
        shutil.rmtree(base, ignore_errors=True)
