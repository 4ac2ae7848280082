"""Search index: a build whose pages did not change reuses the previous index (no second
Pagefind run); any change in an indexed page makes a new one. Real Pagefind."""

from __future__ import annotations

import shutil
from pathlib import Path

from blog.build.search import (
    BUNDLE,
    PART_PREFIX,
    PARTS,
    SHARD_PAGES,
    STAMP,
    index_site,
    is_current,
    shard_pages_for,
)
from blog.build.search_read import indexed_pages, part_folders

PAGE = """<!doctype html><html lang="it"><head><meta charset="utf-8"><title>{title}</title></head>
<body><nav>menu</nav><main data-pagefind-body><h1>{title}</h1><p>{text}</p></main></body></html>
"""


def _site(folder: Path, pages: dict[str, tuple[str, str]]) -> Path:
    for slug, (title, text) in pages.items():
        page = folder / slug / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text(PAGE.format(title=title, text=text), encoding="utf-8")
    return folder


PAGES = {"delega": ("Delegare bene", "Come delegare la posta."),
         "agenda": ("Agenda condivisa", "Un calendario per due.")}


def _inodes(site: Path) -> dict[str, int]:
    bundle = site / BUNDLE
    return {p.relative_to(bundle).as_posix(): p.stat().st_ino
            for p in bundle.rglob("*") if p.is_file() and p.name != PARTS}


def test_unchanged_pages_reuse_the_previous_index_and_changed_ones_do_not(
    tmp_path: Path,
) -> None:
    first = _site(tmp_path / "v1", PAGES)
    assert index_site(first) is False
    assert set(indexed_pages(first)) == {"/delega/", "/agenda/"}

    second = tmp_path / "v2"
    shutil.copytree(first, second, ignore=shutil.ignore_patterns(BUNDLE))
    assert index_site(second, reuse=[None, first]) is True
    assert _inodes(second) == _inodes(first)  # linked, not indexed again
    assert indexed_pages(second) == indexed_pages(first)

    third = tmp_path / "v3"
    shutil.copytree(first, third, ignore=shutil.ignore_patterns(BUNDLE))
    (third / "agenda" / "index.html").write_text(
        PAGE.format(title="Agenda rinnovata", text="Un calendario per due."), encoding="utf-8")
    assert index_site(third, reuse=[second, first]) is False
    assert indexed_pages(third)["/agenda/"] == "Agenda rinnovata"
    assert (third / BUNDLE / STAMP).read_text() != (first / BUNDLE / STAMP).read_text()
    # The earlier versions' indexes are untouched.
    assert indexed_pages(first)["/agenda/"] == "Agenda condivisa"


def test_an_added_page_or_a_draft_folder_is_judged_correctly(tmp_path: Path) -> None:
    first = _site(tmp_path / "v1", PAGES)
    index_site(first)
    with_draft = tmp_path / "v2"
    shutil.copytree(first, with_draft, ignore=shutil.ignore_patterns(BUNDLE))
    _site(with_draft / "bozze", {"segreto": ("Bozza", "Non ancora.")})
    assert index_site(with_draft, reuse=[first]) is True  # drafts are never indexed
    added = tmp_path / "v3"
    shutil.copytree(first, added, ignore=shutil.ignore_patterns(BUNDLE))
    _site(added, {"nuovo": ("Nuovo articolo", "Appena scritto.")})
    assert index_site(added, reuse=[first]) is False
    assert "/nuovo/" in indexed_pages(added)


def test_pages_without_a_body_mark_are_not_read_and_do_not_force_a_new_index(
    tmp_path: Path,
) -> None:
    first = _site(tmp_path / "v1", PAGES)
    (first / "tag").mkdir()
    (first / "tag" / "index.html").write_text("<html><body><h1>Tag</h1></body></html>",
                                              encoding="utf-8")
    index_site(first)
    assert set(indexed_pages(first)) == {"/delega/", "/agenda/"}
    second = tmp_path / "v2"
    shutil.copytree(first, second, ignore=shutil.ignore_patterns(BUNDLE))
    (second / "tag" / "index.html").write_text("<html><body><h1>Tag 2</h1></body></html>",
                                               encoding="utf-8")
    assert index_site(second, reuse=[first]) is True


WORDS = ("delega", "agenda", "fatture", "clienti", "posta", "calendario", "procedure",
         "riunioni", "preventivi", "archivio", "contratti", "telefonate")


def _many(folder: Path) -> Path:
    return _site(folder, {f"pagina-{i:02d}": (f"Pagina {i} su {word}",
                                              f"Come gestire {word} con un’assistente.")
                          for i, word in enumerate(WORDS)})


def _parts_inodes(site: Path) -> dict[str, dict[str, int]]:
    return {folder.name: {p.relative_to(folder).as_posix(): p.stat().st_ino
                          for p in folder.rglob("*") if p.is_file()
                          and PART_PREFIX not in p.relative_to(folder).as_posix()
                          and p.name != PARTS}
            for folder in part_folders(site)}


def test_a_big_site_is_indexed_in_parts_and_an_edit_indexes_only_its_part(
    tmp_path: Path,
) -> None:
    whole = _many(tmp_path / "intero")
    index_site(whole)
    assert part_folders(whole) == [whole / BUNDLE]  # small enough for one part

    first = _many(tmp_path / "v1")
    assert index_site(first, shard_pages=3) is False
    parts = part_folders(first)
    assert 2 <= len(parts) <= 4  # 12 pages, 4 buckets by a hash of the path (none empty kept)
    # Every page is in exactly one part, and the parts hold what the single index holds.
    assert sum(len(list((p / "fragment").glob("*.pf_fragment"))) for p in parts) == len(WORDS)
    assert indexed_pages(first) == indexed_pages(whole)
    # Only the first part carries the script, its worker and the WebAssembly.
    for extra in parts[1:]:
        assert (extra / "pagefind-entry.json").is_file()
        assert not list(extra.glob("*.js")) and not list(extra.glob("wasm.*"))

    second = tmp_path / "v2"
    shutil.copytree(first, second, ignore=shutil.ignore_patterns(BUNDLE))
    edited = second / "pagina-05" / "index.html"
    edited.write_text(PAGE.format(title="Pagina 5 rinnovata", text="Altro testo."),
                      encoding="utf-8")
    assert index_site(second, reuse=[first], shard_pages=3) is False
    before, after = _parts_inodes(first), _parts_inodes(second)
    assert len(after) == len(parts)
    kept = {name for name in after if after[name] == before.get(name)}
    assert len(kept) == len(parts) - 1  # the parts without the edited page are linked
    assert indexed_pages(second)["/pagina-05/"] == "Pagina 5 rinnovata"
    assert indexed_pages(first)["/pagina-05/"].startswith("Pagina 5 su")


def test_one_index_whatever_the_size_when_asked_for(tmp_path: Path) -> None:
    """Production (``shard_pages=None``): one index where parts of 3 pages would be several,
    the same one a small site gets; nothing listed to merge."""
    assert shard_pages_for({}) == SHARD_PAGES
    assert shard_pages_for({"SEARCH_INDEX_PARTS": True}) == SHARD_PAGES
    assert shard_pages_for({"SEARCH_INDEX_PARTS": False}) is None
    parted = _many(tmp_path / "parti")
    index_site(parted, shard_pages=3)
    assert len(part_folders(parted)) > 1
    single = _many(tmp_path / "uno")
    assert index_site(single, shard_pages=None) is False
    assert part_folders(single) == [single / BUNDLE]
    assert (single / BUNDLE / PARTS).read_text(encoding="utf-8").strip() == "[]"
    assert indexed_pages(single) == indexed_pages(parted)
    assert is_current(single, shard_pages=None)
    assert not is_current(single, shard_pages=3)
    # The same pages indexed as one by default (a small site) or on request: linked.
    again = tmp_path / "di-nuovo"
    shutil.copytree(single, again, ignore=shutil.ignore_patterns(BUNDLE))
    assert index_site(again, reuse=[single]) is True
    assert _inodes(again) == _inodes(single)


def test_an_index_knows_whether_it_was_made_from_the_pages_the_site_has_now(
    tmp_path: Path,
) -> None:
    """livereload's check after a rebuild: only what changed is read again."""
    site = _many(tmp_path / "sito")
    digests: dict = {}
    index_site(site, shard_pages=3, digests=digests)
    assert is_current(site, shard_pages=3, digests=digests)
    assert len(digests) == len(WORDS)
    page = site / "pagina-05" / "index.html"
    page.write_text(PAGE.format(title="Pagina 5 rinnovata", text="Altro testo."),
                    encoding="utf-8")
    assert not is_current(site, shard_pages=3, digests=digests)  # a new time, read again
    shutil.rmtree(site / "pagina-05")
    assert not is_current(site, shard_pages=3, digests=digests)
    assert "pagina-05/index.html" not in digests  # a page gone is forgotten
