"""The output folder as a symlink to complete versions (buildtools.outputs), on real folders."""

from __future__ import annotations

from pathlib import Path

from buildtools import outputs


def _version(output: Path, text: str) -> Path:
    folder = outputs.new_version(output)
    (folder / "index.html").write_text(text, encoding="utf-8")
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
    first = _version(output, "uno")
    outputs.switch(output, first)
    second = _version(output, "due")
    outputs.switch(output, second)
    third = _version(output, "tre")
    outputs.switch(output, third)
    assert (output / "index.html").read_text(encoding="utf-8") == "tre"
    assert not first.exists()  # two builds ago
    assert second.is_dir()  # the previous one: readers may still be loading its pages
    assert not Path(str(output.readlink())).is_absolute()  # the tree can move as a whole


def test_leftovers_of_interrupted_builds_are_removed(tmp_path: Path) -> None:
    output = tmp_path / "output"
    live = _version(output, "vivo")
    outputs.switch(output, live)
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
    outputs.switch(output, _version(output, "uno"))
    outputs.switch(output, _version(output, "due"))
    outputs.remove_all(output)
    assert list(tmp_path.iterdir()) == []
