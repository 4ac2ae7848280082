"""Social cards (plugins/og_image): size budget, drawn only when they change, cache pruned.

The plugin's build step ``write_cards`` runs on a real card plan and real folders, the
way Pelican's ``finalized`` signal calls it; no timing is asserted (see
``benchmarks/bench_build.py`` for the milliseconds).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from blog.build.settings import local_plugin

og_image = local_plugin("og_image")

MAX_BYTES = 100 * 1024


def _card(title: str) -> og_image.Card:
    return og_image.Card(title=title, label="L’arte della delega",
                         footer="Giulia · Assistente Virtuale", monogram="G")


def _build(tmp: Path, name: str, titles: dict[str, str]) -> Path:
    """One build's card step into ``tmp/name``; the cache is shared between builds."""
    output = tmp / name
    output.mkdir()
    settings = {"CACHE_PATH": str(tmp / "cache" / "pelican"),
                og_image.CARDS: {f"og/{slug}.png": _card(title)
                                 for slug, title in titles.items()}}
    og_image.write_cards(SimpleNamespace(settings=settings, output_path=str(output)))
    return output


def _cache(tmp: Path) -> dict[str, int]:
    """Cached card file → inode (a redrawn card is a new file: os.replace)."""
    return {p.name: p.stat().st_ino for p in (tmp / "cache" / "og-images").glob("*.png")}


def test_a_card_with_the_longest_title_stays_within_100_kb(tmp_path: Path) -> None:
    from PIL import Image

    title = ("Come scegliere un’assistente virtuale – «sei pronto?» – e delegare agenda, "
             "posta, fatture e preventivi senza perdere il controllo ") * 3
    output = _build(tmp_path, "v1", {"lungo": title, "breve": "Delega"})
    for card in (output / "og").glob("*.png"):
        assert card.stat().st_size <= MAX_BYTES, card.name
        assert card.stat().st_mode & 0o444 == 0o444  # the web server reads it
        with Image.open(card) as image:
            assert image.size == (1200, 630) and image.format == "PNG"
            # The title is drawn in ink, not left blank by the palette.
            title_area = image.convert("L").crop((88, 140, 1112, 470))
            assert sum(title_area.histogram()[:100]) > 2_000


def test_a_card_is_redrawn_when_its_title_changes_and_not_otherwise(tmp_path: Path) -> None:
    first = _build(tmp_path, "v1", {"uno": "Primo titolo", "due": "Secondo titolo"})
    cached = _cache(tmp_path)
    assert len(cached) == 2

    second = _build(tmp_path, "v2", {"uno": "Primo titolo", "due": "Secondo titolo"})
    assert _cache(tmp_path) == cached  # nothing drawn again
    for name in ("uno", "due"):  # linked from the cache, not copied
        assert (second / "og" / f"{name}.png").stat().st_ino == \
            (first / "og" / f"{name}.png").stat().st_ino

    third = _build(tmp_path, "v3", {"uno": "Primo titolo, cambiato", "due": "Secondo titolo"})
    now = _cache(tmp_path)
    assert len(now) == 2 and len(set(now.items()) & set(cached.items())) == 1
    assert (third / "og" / "due.png").read_bytes() == (first / "og" / "due.png").read_bytes()
    assert (third / "og" / "uno.png").read_bytes() != (first / "og" / "uno.png").read_bytes()


def test_cards_no_page_uses_are_pruned_from_the_cache(tmp_path: Path) -> None:
    _build(tmp_path, "v1", {"uno": "Primo", "due": "Secondo", "tre": "Terzo"})
    assert len(_cache(tmp_path)) == 3
    kept = _build(tmp_path, "v2", {"due": "Secondo"})
    assert len(_cache(tmp_path)) == 1
    # The surviving card is the one the build links into its output.
    (only,) = _cache(tmp_path)
    assert (kept / "og" / "due.png").read_bytes() == \
        (tmp_path / "cache" / "og-images" / only).read_bytes()


@pytest.mark.parametrize("workers", [1, 2])
def test_cards_drawn_in_parallel_match_cards_drawn_one_by_one(
    tmp_path: Path, workers: int
) -> None:
    many = {tmp_path / str(workers) / f"{n}.png": _card(f"Articolo numero {n}")
            for n in range(og_image.POOL_THRESHOLD + 2)}
    og_image.draw_missing(many, workers=workers)
    painter = og_image.Painter()
    for path, card in list(many.items())[:3]:
        og_image.render(card, tmp_path / "alone.png", painter=painter)
        assert path.read_bytes() == (tmp_path / "alone.png").read_bytes()
