"""A disk that fills up at each step of a build: a real small file system (tmpfs, so the
test needs root; skipped with the reason otherwise), the project on it, filled until
only so many bytes are free, then ``invoke build`` after an edit.

From nothing free, the free space doubles until a build succeeds, then the last gap is
cut in four: every step of the build meets a full disk somewhere (the log, Pelican's
pages, the kit and card caches, Pagefind's index, the switch, the notes). Each time:
either «Sito pronto» with a site identical, file by file, to a clean build made on the
same file system, or «spazio su disco esaurito» with ``output/`` as it was; and once the
space is freed, the next plain ``invoke build`` makes the correct site (a broken search
index is never left behind for a build to skip over).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.faults_support import (
    EPOCH,
    built_copy,
    clone,
    differences,
    digest,
    edit,
    fill,
    small_disk,
    tmpfs_unavailable,
)
from tests.sitecopy import copy_project, invoke

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(tmpfs_unavailable() is not None,
                                 reason=tmpfs_unavailable() or "")]

DISK_MB = 160


@pytest.fixture(scope="module")
def disk(tmp_path_factory: pytest.TempPathFactory):
    with small_disk(tmp_path_factory.mktemp("disco") / "tmpfs", DISK_MB) as mounted:
        template = built_copy(mounted / "modello", "Segno-uno")
        clean = copy_project(mounted / "pulito")
        for token in ("Segno-uno", "Segno-due"):
            edit(clean, token)
        result = invoke(clean, "build", env=EPOCH)
        assert result.returncode == 0, result.stdout + result.stderr
        reference = digest(clean / "output")
        shutil.rmtree(clean)
        yield mounted, template, reference


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


def test_a_disk_that_fills_at_each_step_never_leaves_a_broken_site(disk) -> None:
    mounted, template, reference = disk
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
