"""The output folder as a symlink to complete versions (blog.build.outputs), on real folders."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from blog.build import outputs


def _version(output: Path, text: str) -> Path:
    folder = outputs.new_version(output)
    (folder / "index.html").write_text(text, encoding="utf-8")
    return folder


def _live(output: Path, text: str) -> Path:
    """A new version, switched live."""
    folder = _version(output, text)
    outputs.switch(output, folder)
    return folder


def test_an_old_output_folder_becomes_the_first_version(tmp_path: Path) -> None:
    output = tmp_path / "output"
    output.mkdir()
    (output / "index.html").write_text("vecchio", encoding="utf-8")
    outputs.migrate(output)
    assert output.is_symlink()
    assert (output / "index.html").read_text(encoding="utf-8") == "vecchio"
    assert output.resolve().parent == tmp_path / ".output.versions"


def test_switch_is_one_rename_and_keeps_only_the_previous_version(tmp_path: Path) -> None:
    output = tmp_path / "output"
    first = _live(output, "uno")
    second = _live(output, "due")
    _live(output, "tre")
    assert (output / "index.html").read_text(encoding="utf-8") == "tre"
    assert not first.exists()  # two builds ago
    assert second.is_dir()  # the previous one: readers may still be loading its pages
    assert not Path(str(output.readlink())).is_absolute()  # the tree can move as a whole


def test_leftovers_of_interrupted_builds_are_removed(tmp_path: Path) -> None:
    output = tmp_path / "output"
    live = _live(output, "vivo")
    half = _version(output, "a metà")  # a build killed before its switch
    versions = tmp_path / ".output.versions"
    (versions / f"{outputs.LINK_PREFIX}999").symlink_to(half.name)  # killed mid-switch
    (versions / ".20261201-000000-000000.pagefind-x").mkdir()  # Pagefind's mirror
    for old in (".output.staging-abc", ".output.pagefind-def", "output.old-77"):
        (tmp_path / old).mkdir()
    removed = outputs.remove_leftovers(output)
    assert half in removed
    assert [p.name for p in versions.iterdir()] == [live.name]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".output.versions", "output"]
    assert (output / "index.html").read_text(encoding="utf-8") == "vivo"


def test_remove_all_leaves_nothing(tmp_path: Path) -> None:
    output = tmp_path / "output"
    _live(output, "uno")
    _live(output, "due")
    outputs.remove_all(output)
    assert list(tmp_path.iterdir()) == []


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_an_in_place_update_moves_new_files_in_and_removes_what_the_build_dropped(
        tmp_path: Path) -> None:
    output = tmp_path / "output"
    live = _version(output, "home")
    for rel, text in {"a/index.html": "a", "b/index.html": "b", "tag/x/index.html": "x",
                      "pagefind/parti.json": "[]", "feed.xml": "vecchio"}.items():
        (live / rel).parent.mkdir(parents=True, exist_ok=True)
        (live / rel).write_text(text, encoding="utf-8")
    outputs.switch(output, live)
    assert outputs.prepare_staging(output, live, untouched=("pagefind",))
    staging = outputs.staging_folder(output, live)
    assert (staging / "a").is_dir() and not (staging / "pagefind").exists()
    (staging / "b" / "index.html").write_text("b nuovo", encoding="utf-8")  # rendered
    (staging / "c").mkdir()
    (staging / "c" / "index.html").write_text("c", encoding="utf-8")  # a new page
    (staging / "feed.xml").write_text("nuovo", encoding="utf-8")
    os.link(live / "index.html", staging / "index.html")  # the same file, linked again
    # Reused as they were: the home page and a; tag/x is gone (its post was retagged).
    outputs.apply(staging, live, {"index.html", "a/index.html"}, untouched=("pagefind",))
    assert _tree(live) == {"index.html": "home", "a/index.html": "a",
                           "b/index.html": "b nuovo", "c/index.html": "c",
                           "feed.xml": "nuovo", "pagefind/parti.json": "[]"}
    assert not (live / "tag").exists()  # folders left empty go too
    assert _tree(staging) == {outputs.READY: ""}  # only folders are kept for the next one
    assert outputs.current_version(output) == live
    assert outputs.staging_folder(output, live) == staging  # clean: used again as it is
    assert (staging / "c").is_dir()


def test_a_staging_folder_not_known_to_be_clean_is_made_anew_and_old_ones_go(
        tmp_path: Path) -> None:
    output = tmp_path / "output"
    live = _live(output, "home")
    staging = outputs.staging_folder(output, live)
    (staging / "mezzo.html").write_text("un aggiornamento interrotto", encoding="utf-8")
    assert not (staging / outputs.READY).exists()
    again = outputs.staging_folder(output, live)
    assert list(again.iterdir()) == []  # an interrupted update's files are never moved in
    outputs.empty_staging(again)
    outputs.remove_leftovers(output)
    assert again.is_dir()  # the live version's own: kept
    _live(output, "nuova")
    assert not again.exists()  # its version is gone: so is it


def test_a_missing_live_folder_keeps_the_version_live_before_it(tmp_path: Path) -> None:
    output = tmp_path / "output"
    first = _live(output, "uno")
    second = _live(output, "due")
    shutil.rmtree(second)  # the live folder gone: output is a dangling link
    outputs.remove_leftovers(output)  # what the next build does first
    assert first.is_dir()
    _live(output, "tre")
    assert first.is_dir()  # still the previous version to go back to


class _Waiting:
    """Another build, in a thread, waiting for the lock on ``output`` the test holds."""

    def __init__(self, output: Path) -> None:
        self.said: list[str] = []
        self.inside, self.release = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._hold, args=(output,))
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.said and time.monotonic() < deadline:  # until it says it waits
            time.sleep(0.01)

    def _hold(self, output: Path) -> None:
        with outputs.locked(output, say=self.said.append):
            self.inside.set()
            self.release.wait(30)

    def finish(self) -> None:
        self.release.set()
        self.thread.join(30)


def test_a_build_waiting_for_another_says_so_once(tmp_path: Path) -> None:
    output = tmp_path / "output"
    with outputs.locked(output):
        waiting = _Waiting(output)
        assert not waiting.inside.is_set()
    assert waiting.inside.wait(30)
    waiting.finish()
    assert waiting.said == ["Aspetto che finisca un’altra build di output/…"]


def test_a_lock_removed_while_a_build_waited_is_never_held_twice(tmp_path: Path) -> None:
    """``invoke clean`` removes the versions folder, its lock included, while a build
    waits: the waiting build then locks the new file, so a third one must wait too."""
    output = tmp_path / "output"
    with outputs.locked(output):
        waiting = _Waiting(output)
        outputs.remove_all(output)  # clean, holding the lock
    assert waiting.inside.wait(30)
    try:
        with pytest.raises(BlockingIOError), outputs.locked(output, wait=False):
            pass
    finally:
        waiting.finish()
