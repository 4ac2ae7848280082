"""Social cards (plugins/og_image): size budget, drawn only when they change, cache pruned.

A build's cards (``CardBatch``) are drawn and copied on real folders, and the plugin's
generator runs the way Pelican runs it; no timing is asserted (see
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


def _build(tmp: Path, name: str, titles: dict[str, str], live: Path | None = None) -> Path:
    """One build's cards into ``tmp/name``; the cache is shared between builds."""
    output = tmp / name
    output.mkdir()
    cards = {f"og/{slug}.png": _card(title) for slug, title in titles.items()}
    og_image.CardBatch(cards, tmp / "cache" / "og-images").write(output, live)
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
    for name in ("uno", "due"):  # copied: the site shares no byte with the cache
        card = second / "og" / f"{name}.png"
        assert card.stat().st_ino not in cached.values()
        assert card.read_bytes() == (first / "og" / f"{name}.png").read_bytes()
    # With the live version given, the same bytes are linked from it (never the cache).
    linked = _build(tmp_path, "v2-dal-vivo", {"uno": "Primo titolo", "due": "Secondo titolo"},
                    live=first)
    for name in ("uno", "due"):
        assert (linked / "og" / f"{name}.png").stat().st_ino == \
            (first / "og" / f"{name}.png").stat().st_ino

    third = _build(tmp_path, "v3", {"uno": "Primo titolo, cambiato", "due": "Secondo titolo"})
    now = _cache(tmp_path)
    assert len(now) == 2 and len(set(now.items()) & set(cached.items())) == 1
    assert (third / "og" / "due.png").read_bytes() == (first / "og" / "due.png").read_bytes()
    assert (third / "og" / "uno.png").read_bytes() != (first / "og" / "uno.png").read_bytes()


def test_a_damaged_cached_card_is_drawn_again_and_never_reaches_the_site(
        tmp_path: Path) -> None:
    first = _build(tmp_path, "v1", {"uno": "Primo titolo"})
    (cached,) = (tmp_path / "cache" / "og-images").glob("*.png")
    good = cached.read_bytes()
    for damage in (b"", good[: len(good) // 2], b"[]"):
        with open(cached, "r+b") as handle:  # in place, as a crash or ``> file`` leaves it
            handle.truncate(0)
            handle.write(damage)
        assert (first / "og" / "uno.png").read_bytes() == good  # the site is untouched
        again = _build(tmp_path, f"v-{len(damage)}", {"uno": "Primo titolo"})
        assert (again / "og" / "uno.png").read_bytes() == good
        assert cached.read_bytes() == good  # drawn again into the cache


def test_cards_no_page_uses_are_pruned_from_the_cache(tmp_path: Path) -> None:
    _build(tmp_path, "v1", {"uno": "Primo", "due": "Secondo", "tre": "Terzo"})
    assert len(_cache(tmp_path)) == 3
    kept = _build(tmp_path, "v2", {"due": "Secondo"})
    assert len(_cache(tmp_path)) == 1
    # The surviving card is the one the build copies into its output.
    (only,) = _cache(tmp_path)
    assert (kept / "og" / "due.png").read_bytes() == \
        (tmp_path / "cache" / "og-images" / only).read_bytes()


@pytest.mark.parametrize("workers", [1, 2])
def test_cards_drawn_in_parallel_match_cards_drawn_one_by_one(
    tmp_path: Path, workers: int
) -> None:
    many = {tmp_path / str(workers) / f"{n}.png": _card(f"Articolo numero {n}")
            for n in range(og_image.POOL_THRESHOLD + 2)}
    drawing = og_image.Drawing.start(many, workers=workers)
    assert drawing.pool is not None  # this many: worker processes
    drawing.wait()
    painter = og_image.Painter()
    for path, card in list(many.items())[:3]:
        og_image.render(card, tmp_path / "alone.png", painter=painter)
        assert path.read_bytes() == (tmp_path / "alone.png").read_bytes()


def test_a_run_gives_each_article_its_card_and_leaves_the_settings_alone(
    tmp_path: Path,
) -> None:
    """The generator Pelican makes for each run: ``article.og_image`` and the site card in
    the shared context once the posts are read, every card in the output at the end."""
    settings = {"CACHE_PATH": str(tmp_path / "cache" / "pelican"), "SITENAME": "Prova",
                "SITESUBTITLE": "Delegare senza perdere il controllo", "AUTHOR": "Giulia"}
    untouched = dict(settings)
    article = SimpleNamespace(slug="primo", title="Primo articolo", metadata={},
                              category="Delega")
    context = {**settings, "articles": [article]}
    output = tmp_path / "out"
    generator = og_image.CardsGenerator(context, settings, "content", "theme", str(output))
    generator.generate_context()
    assert article.og_image == "og/primo.png"
    assert (context["OG_IMAGE_DEFAULT"], context["OG_IMAGE_WIDTH"],
            context["OG_IMAGE_HEIGHT"]) == ("og/sito.png", 1200, 630)
    generator.generate_output(None)
    assert {p.name for p in (output / "og").iterdir()} == {"primo.png", "sito.png"}
    assert settings == untouched
