"""The theme's small plugins, one behaviour at a time."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from markupsafe import Markup

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))

import og_image  # noqa: E402
import plain_text_meta  # noqa: E402
import reading_time  # noqa: E402
import seo_meta  # noqa: E402


def test_reading_time_counts_visible_words_and_rounds_up() -> None:
    html = '<p class="x" data-long-attribute="a b c d e">' + "parola " * 201 + "</p>"
    assert reading_time.count_words(html) == 201
    assert reading_time.minutes_for(201) == 2
    assert reading_time.minutes_for(3) == 1
    assert reading_time.label(1) == "1 minuto di lettura"
    assert reading_time.label(7) == "7 minuti di lettura"


def test_jsonld_escapes_what_could_close_the_script_and_keeps_the_text() -> None:
    title = 'A </script><script>alert("x")</script> & B'
    plain = "riga\u2028a capo <!-- &"
    text = seo_meta.jsonld({"headline": Markup.escape(title), "n": 3, "empty": "", "p": plain})
    for char in "<>&\u2028":
        assert char not in text
    assert json.loads(text) == {"headline": title, "n": 3, "p": plain}


def test_meta_description_is_one_plain_line_cut_at_a_word() -> None:
    html = "<p>Uno <em>due</em>\n tre &amp; quattro</p>"
    assert seo_meta.meta_description(html) == "Uno due tre & quattro"
    long = "<p>" + "parola " * 60 + "</p>"
    cut = seo_meta.meta_description(long, 50)
    assert len(cut) <= 50 and cut.endswith("…") and not cut[:-1].endswith(" ")


def test_absolute_urls_drop_index_html() -> None:
    base = "https://esempio.it"
    assert seo_meta.absolute("", base) == "https://esempio.it/"
    assert seo_meta.absolute("index.html", base) == "https://esempio.it/"
    assert seo_meta.absolute("pagina/2/index.html", base) == "https://esempio.it/pagina/2/"
    assert seo_meta.absolute("a/", base) == "https://esempio.it/a/"


class _Content:
    def __init__(self, metadata: dict) -> None:
        self.metadata = metadata


def test_plain_text_meta_escapes_once() -> None:
    content = _Content({"title": "<b>T</b> & co", "summary": "<i>R</i> \"q\""})
    plain_text_meta.escape_text_fields(content)
    plain_text_meta.escape_text_fields(content)  # idempotent
    assert content.title == Markup("&lt;b&gt;T&lt;/b&gt; &amp; co")
    assert content.metadata["summary"] == Markup("<p>&lt;i&gt;R&lt;/i&gt; &#34;q&#34;</p>")
    assert content.metadata["summary"].striptags() == '<i>R</i> "q"'


@pytest.fixture
def card() -> og_image.Card:
    return og_image.Card(
        title="L’Arte della Delega: un titolo abbastanza lungo da andare a capo più volte, "
              "con «virgolette» – e un trattino",
        label="L’Arte della Delega", footer="Giulia · Assistente Virtuale", monogram="G",
    )


def test_og_card_is_a_1200x630_png(card: og_image.Card, tmp_path: Path) -> None:
    from PIL import Image

    path, drawn = og_image.ensure_card(card, tmp_path)
    assert drawn
    with Image.open(path) as image:
        assert image.size == (1200, 630) and image.format == "PNG"
        # The title is drawn: plenty of dark ink in the title area.
        title_area = image.convert("L").crop((88, 140, 1112, 470))
        dark = sum(title_area.histogram()[:100])
        assert dark > 10_000


def test_og_card_is_drawn_once_and_redrawn_when_its_title_changes(
    card: og_image.Card, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real_render = og_image.render
    monkeypatch.setattr(og_image, "render", lambda c, d: (calls.append(c), real_render(c, d)))
    first, drawn_first = og_image.ensure_card(card, tmp_path)
    again, drawn_again = og_image.ensure_card(card, tmp_path)
    assert (drawn_first, drawn_again) == (True, False) and first == again
    assert len(calls) == 1
    changed = og_image.Card(card.title + "!", card.label, card.footer, card.monogram)
    other, drawn_other = og_image.ensure_card(changed, tmp_path)
    assert drawn_other and other != first and len(calls) == 2


def test_og_title_that_never_fits_is_cut_with_an_ellipsis(tmp_path: Path) -> None:
    from PIL import Image, ImageDraw

    draw = ImageDraw.Draw(Image.new("RGB", (10, 10)))
    _, lines, _ = og_image._fit_title(draw, "parola " * 120)
    assert len(lines) == 4 and lines[-1].endswith("…")


def test_content_images_get_size_async_decoding_and_lazy_after_the_first(tmp_path: Path) -> None:
    import content_images
    from PIL import Image

    (tmp_path / "images").mkdir()
    Image.new("RGB", (640, 360), "white").save(tmp_path / "images" / "foto.png")
    html = (
        '<p><img alt="prima" src="{static}/images/foto.png"></p>'
        '<p><img alt="seconda" src="{static}/images/foto.png" /></p>'
        '<p><img alt="data" src="https://altrove.example/x.png" width="10" height="5"></p>'
    )
    out = content_images.enhance_images(html, tmp_path, tmp_path / "articles")
    first, second, remote = re.findall(r"<img[^>]*>", out)
    assert 'width="640" height="360"' in first and "loading" not in first
    assert 'width="640" height="360"' in second and 'loading="lazy"' in second
    assert second.endswith("/>")
    assert 'width="10"' in remote and 'loading="lazy"' in remote
    assert all('decoding="async"' in tag for tag in (first, second, remote))
