"""A disk that fills up at each step of a build: a real small file system (a tmpfs:
mounted by root, or by any other user inside a user and mount namespace of its own,
tests/small_disk.py; where neither can mount, the test fails and says why), the project
on it, filled until only so many bytes are free, then ``invoke build`` after an edit.

From nothing free, the free space doubles until a build succeeds, then the last gap is
cut in four: every step of the build meets a full disk somewhere (the log, Pelican's
pages, the kit and card caches, Pagefind's index, the switch, the notes). Each time:
either «Sito pronto» with a site identical, file by file, to a clean build made on the
same file system, or «spazio su disco esaurito» with ``output/`` as it was; and once the
space is freed, the next plain ``invoke build`` makes the correct site (a broken search
index is never left behind for a build to skip over).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.faults_support import EPOCH, built_copy, clone, differences, digest, edit
from tests.sitecopy import ROOT, copy_project, invoke
from tests.small_disk import (
    IN_NAMESPACE,
    fill,
    mount_refused,
    namespace_refused,
    run_in_namespace,
    small_disk,
)

pytestmark = pytest.mark.slow

DISK_MB = 160


def _reference(mounted: Path) -> tuple[Path, dict]:
    """A project built before the fault, and a clean build of the same sources (both on
    the small disk)."""
    template = built_copy(mounted / "modello", "Segno-uno")
    clean = copy_project(mounted / "pulito")
    for token in ("Segno-uno", "Segno-due"):
        edit(clean, token)
    result = invoke(clean, "build", env=EPOCH)
    assert result.returncode == 0, result.stdout + result.stderr
    reference = digest(clean / "output")
    shutil.rmtree(clean)
    return template, reference


def _attempt(mounted: Path, template: Path, reference: dict, leave: int) -> bool:
    """One build with ``leave`` bytes free; True when it succeeded."""
    project = clone(template, mounted / "caso")
    try:
        edit(project, "Segno-due")
        before = digest(project / "output")
        filler = fill(mounted, leave)
        result = invoke(project, "build", env=EPOCH)
        said = result.stdout + result.stderr
        after = digest(project / "output")
        filler.unlink()
        assert "Traceback" not in said and "difetto del codice" not in said, said
        if result.returncode == 0:
            assert "Sito pronto" in said
            assert after == reference, f"{leave} B liberi: {differences(after, reference)}"
        else:
            assert "spazio su disco esaurito: liberane e riprova; output/ è com’era" in said, \
                said
            assert after == before, f"{leave} B liberi: output/ è cambiato"
        again = invoke(project, "build", env=EPOCH)
        assert again.returncode == 0, again.stdout + again.stderr
        assert digest(project / "output") == reference, \
            f"dopo {leave} B liberi: {differences(digest(project / 'output'), reference)}"
        return result.returncode == 0
    finally:
        shutil.rmtree(project, ignore_errors=True)


def _fill_at_each_step(folder: Path) -> None:
    with small_disk(folder, DISK_MB) as mounted:
        template, reference = _reference(mounted)
        tried, leave, failed = [], 0, 0
        while not _attempt(mounted, template, reference, leave):
            tried.append(leave)
            failed, leave = leave, max(4096, leave * 2)
            assert leave < 64 << 20, f"nessuna build riuscita fino a {leave} B liberi"
        step = max(4096, (leave - failed) // 4)
        for between in range(failed + step, leave, step):  # where Pagefind ran out, before
            _attempt(mounted, template, reference, between)
            tried.append(between)
        assert tried, "la prima build è riuscita anche a disco pieno: niente da provare"


def test_a_disk_that_fills_at_each_step_never_leaves_a_broken_site(
        tmp_path: Path, request: pytest.FixtureRequest) -> None:
    refused = mount_refused()
    if refused is None:  # root (or this user's own namespace): mounted here
        _fill_at_each_step(tmp_path / "tmpfs")
        return
    assert not os.environ.get(IN_NAMESPACE), \
        f"nel namespace di unshare il tmpfs non si monta: {refused}"
    why = namespace_refused()
    assert why is None, (
        "nessun disco piccolo da riempire: serve root (mount) o un namespace utente "
        f"(unshare -Urm, pacchetto util-linux). mount: {refused}; unshare: {why}")
    inside = run_in_namespace(request.node.nodeid, tmp_path / "namespace", ROOT)
    said = inside.stdout[-6000:] + inside.stderr[-3000:]
    assert inside.returncode == 0 and re.search(r"^1 passed", inside.stdout, re.M), said
