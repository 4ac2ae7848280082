"""The image pipeline piece by piece (plugins/content_images), on small files: what a
post's ``<img>`` becomes, which widths and ``sizes`` the theme's column asks for, what is
wrong with a broken image and how the author is told, that no variant and no linked
original keeps the camera's metadata, and that the cache makes each file once.

The whole-site test (a phone photo with GPS in a copy of the site, Chromium at 375@2x
and 1280@1x) is tests/test_images_build.py.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from blog.build.settings import local_plugin
from tests import phone_photo

pytestmark: list = []  # quick: small files, no build, no browser

images = local_plugin("content_images")
markup = images.markup
layout = images.layout


def _photo(path: Path, size: tuple[int, int] = (1600, 1200), orientation: int = 1,
           fmt: str = "JPEG", mode: str = "RGB") -> Path:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new(mode, size, (180, 120, 60) if mode == "RGB" else (180, 120, 60, 128))
    extra = {"exif": phone_photo.exif_bytes(orientation)} if fmt in ("JPEG", "WEBP") else {}
    image.save(path, fmt, **extra)
    return path


def _page(root: Path, save_as: str = "slug/index.html", prefix: str = "..") -> markup.Page:
    return markup.Page(root, root / "articles", save_as, prefix, ("images",))


def _rewrite(root: Path, html: str, **page) -> markup.Rewritten:
    return markup.rewrite(html, _page(root, **page), images.facts.FactsMemo().facts)


# What the theme's column asks for


def test_widths_follow_the_column_and_the_densities_and_never_upscale() -> None:
    assert layout.widths(736, 4032) == [368, 672, 736, 1104, 1472]
    assert layout.widths(736, 1000) == [368, 672, 736, 1000]  # the source's own width on top
    assert layout.widths(300, 300) == [150, 300]  # never wider than the source
    assert layout.widths(1, 1) == [1]
    assert layout.display_width(4032) == 736 and layout.display_width(500) == 500
    assert layout.display_width(4032, "gallery") == 360
    assert layout.display_width(4032, requested=300) == 300


def test_sizes_say_what_the_css_does() -> None:
    css = Path("theme/static/css/site.css").read_text(encoding="utf-8")
    # The column the plugin assumes is the theme's: 46rem, 2rem and 2.5rem gutters.
    assert ".wrap { width: min(100% - 2.5rem, 46rem)" in css
    assert ".wrap { width: min(100% - 2rem, 46rem); }" in css
    assert ".prose > figure { max-width: none; }" in css
    assert "grid-template-columns: repeat(2, minmax(0, 1fr)); gap: var(--s4)" in css
    assert layout.sizes(736) == ("(max-width: 40rem) calc(100vw - 2rem), (max-width: 48.5rem) "
                                 "calc(100vw - 2.5rem), 46rem")
    assert layout.sizes(300) == "(max-width: 332px) calc(100vw - 2rem), 300px"
    assert layout.sizes(360, "gallery").endswith("22.5rem")


# What a post's <img> becomes


def test_a_photo_becomes_a_picture_in_a_figure_with_its_caption(tmp_path: Path) -> None:
    _photo(tmp_path / "images" / "scrivania.jpg")
    html = ('<p>Testo.</p>\n<p><img alt="La scrivania" src="{static}/images/scrivania.jpg" '
            'title="Lunedì mattina" /></p>')
    result = _rewrite(tmp_path, html)
    out = result.html
    assert out.count("<picture>") == 1 and '<figure class="foto">' in out
    assert "<figcaption>Lunedì mattina</figcaption>" in out and "title=" not in out
    avif, webp = re.findall(r'<source type="(image/\w+)"', out)
    assert (avif, webp) == ("image/avif", "image/webp")
    img = re.search(r"<img[^>]*>", out).group(0)
    assert 'alt="La scrivania"' in img and 'width="736" height="552"' in img
    assert 'src="../images/scrivania.jpg"' in img  # its address: the largest JPEG, no EXIF
    assert "loading" not in img and 'decoding="async"' in img  # the first image: eager
    assert re.findall(r"scrivania-(\d+)\.[0-9a-f]{10}\.avif (\d+)w", out) == [
        ("368", "368"), ("672", "672"), ("736", "736"), ("1104", "1104"), ("1472", "1472")]
    assert 'sizes="(max-width: 40rem) calc(100vw - 2rem)' in img
    assert result.shown == {"images/scrivania.jpg"} and result.photo is not None
    assert {v.format for v in result.variants} == {"avif", "webp", "jpeg"}


def test_every_image_but_the_first_loads_lazily_and_keeps_its_alt(tmp_path: Path) -> None:
    _photo(tmp_path / "images" / "a.jpg")
    _photo(tmp_path / "images" / "b.png", (640, 360), fmt="PNG")
    html = ('<p><img alt="uno" src="{static}/images/a.jpg"></p>'
            '<p>Con <img alt="due" src="../images/b.png"> nel testo.</p>'
            '<p><img alt="fuori" src="https://altrove.example/x.png"></p>')
    out = _rewrite(tmp_path, html).html
    first, second, remote = re.findall(r"<img[^>]*>", out)
    assert "loading" not in first and 'loading="lazy"' in second and 'loading="lazy"' in remote
    assert 'alt="due"' in second and 'width="640" height="360"' in second
    assert re.search(r"b-640\.[0-9a-f]{10}\.png", second)  # a drawing: PNG fallback
    assert 'src="https://altrove.example/x.png"' in remote and "<picture" not in out[
        out.index("fuori") - 200:]


def test_a_gallery_is_sized_for_its_two_columns(tmp_path: Path) -> None:
    _photo(tmp_path / "images" / "a.jpg")
    html = ('<figure class="galleria"><img src="{static}/images/a.jpg" alt="uno">'
            '<img src="{static}/images/a.jpg" alt="due"></figure>')
    out = _rewrite(tmp_path, html).html
    assert out.count("<picture>") == 2 and 'width="360" height="270"' in out
    assert "22.5rem" in out and "46rem" not in out


def test_the_author_s_width_orientation_and_height_are_respected(tmp_path: Path) -> None:
    _photo(tmp_path / "images" / "ritratto.jpg", (1600, 1200), orientation=6)
    _photo(tmp_path / "images" / "piccola.jpg")
    html = ('<img src="{static}/images/ritratto.jpg" alt="r">'
            '<img src="{static}/images/piccola.jpg" width="300" alt="p">')
    portrait, small = re.findall(r"<img[^>]*>", _rewrite(tmp_path, html).html)
    assert 'width="480" height="640"' in portrait  # turned upright: 1200×1600, 640 px tall
    assert 'width="300" height="225"' in small and "piccola-600." in small


def test_absolute_urls_in_production(tmp_path: Path) -> None:
    _photo(tmp_path / "images" / "a.jpg")
    out = _rewrite(tmp_path, '<img src="{static}/images/a.jpg" alt="">',
                   prefix="https://www.esempio.it").html
    assert 'src="https://www.esempio.it/images/a.jpg"' in out
    assert re.search(r'https://www\.esempio\.it/images/a-736\.[0-9a-f]{10}\.avif 736w', out)


# A broken image stops the build, with the post's line


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "il file è vuoto (0 byte)"),
    (b"non sono una foto", "non è un’immagine che il sito sa mostrare"),
    (None, "l’immagine è danneggiata (il file è troncato"),
])
def test_a_broken_image_is_a_problem_in_italian(tmp_path: Path, content, reason) -> None:
    path = tmp_path / "images" / "rotta.jpg"
    path.parent.mkdir(parents=True)
    path.write_bytes(content if content is not None else phone_photo.jpeg(1)[:200_000])
    result = _rewrite(tmp_path, '<p>x</p><img src="{static}/images/rotta.jpg" alt="r">')
    assert [(needle, reason in why) for needle, why in result.problems] == [
        ("{static}/images/rotta.jpg", True)], result.problems
    assert "images/rotta.jpg" in result.problems[0][1] and "<picture" not in result.html


def test_a_truncated_photo_is_refused_even_after_weasyprint_is_imported(tmp_path: Path) -> None:
    import weasyprint  # noqa: F401  (it lets Pillow load truncated images, process-wide)
    from PIL import ImageFile

    before = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = True  # as weasyprint leaves it, whatever ran before
    try:
        path = tmp_path / "images" / "rotta.jpg"
        path.parent.mkdir(parents=True)
        path.write_bytes(phone_photo.jpeg(1)[:200_000])
        result = _rewrite(tmp_path, '<p>x</p><img src="{static}/images/rotta.jpg" alt="r">')
        assert len(result.problems) == 1, result.problems
        assert "il file è troncato" in result.problems[0][1]
        assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # left as it was found
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before


def test_a_missing_image_without_placeholder_is_named(tmp_path: Path) -> None:
    result = _rewrite(tmp_path, '<img src="/images/manca.jpg" alt=""><img src="/kit/x.png">')
    assert result.problems == [("/images/manca.jpg",
                                "immagine mancante: images/manca.jpg non esiste in content/")]


def test_the_problem_names_file_and_line(tmp_path: Path, caplog) -> None:
    source = tmp_path / "articolo.md"
    source.write_text("Title: x\n\nTesto\n\n![rotta]({static}/images/rotta.jpg)\n",
                      encoding="utf-8")
    with caplog.at_level("ERROR"):
        images.run.report(str(source), "{static}/images/rotta.jpg", "immagine rotta")
    record = caplog.records[-1]
    assert record.problem == {"file": str(source), "line": 5, "reason": "immagine rotta"}


# No metadata ever reaches the site


def _no_camera(data: bytes) -> None:
    assert b"GPS" not in data and phone_photo.MAKER.encode() not in data
    assert phone_photo.MODEL.encode() not in data


def test_variants_are_upright_srgb_and_carry_no_metadata(tmp_path: Path) -> None:
    from PIL import Image

    source = tmp_path / "images" / "foto.jpg"
    source.parent.mkdir(parents=True)
    source.write_bytes(phone_photo.jpeg(2, orientation=6))
    facts = images.facts.read_facts(source)
    assert (facts.width, facts.height, facts.orientation) == (3024, 4032, 6)
    variants = images.variants.plan(facts, "images/foto.jpg", [368, 736])
    jobs = [(v.width, v.height, v.format, v.options, v.cache_name) for v in variants]
    _, done, error = images.encode.make((str(source), jobs), str(tmp_path / "cache"))
    assert error == "" and len(done) == 6
    for name, size in done:
        path = tmp_path / "cache" / name
        data = path.read_bytes()
        _no_camera(data)
        assert path.stat().st_size == size and not path.stat().st_mode & 0o222  # read-only
        with Image.open(path) as image:
            assert image.width in (368, 736) and image.height > image.width  # upright
            assert not image.getexif() and "icc_profile" not in image.info


def test_a_linked_original_loses_its_metadata_not_its_pixels(tmp_path: Path) -> None:
    from PIL import Image

    source = tmp_path / "foto.jpg"
    source.write_bytes(phone_photo.jpeg(3, orientation=6) + b"\xff\xd8 MPF Exif GPS")
    clean = tmp_path / "pulita.jpg"
    images.strip.clean_copy(source, clean, orientation=6)
    _no_camera(clean.read_bytes())
    with Image.open(source) as before, Image.open(clean) as after:
        assert dict(after.getexif()) == {0x0112: 6}  # upright still
        assert before.tobytes() == after.tobytes()  # the same pixels, not re-encoded
    png = tmp_path / "schermata.png"
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", f"{phone_photo.MAKER} GPS 45.46")
    Image.new("RGB", (8, 8), "white").save(png, pnginfo=info)
    images.strip.clean_copy(png, tmp_path / "pulita.png")
    _no_camera((tmp_path / "pulita.png").read_bytes())
    webp = tmp_path / "foto.webp"
    Image.new("RGB", (8, 8), "white").save(webp, exif=phone_photo.exif_bytes(), lossless=True)
    assert b"GPS" in webp.read_bytes() or phone_photo.MAKER.encode() in webp.read_bytes()
    images.strip.clean_copy(webp, tmp_path / "pulita.webp")
    _no_camera((tmp_path / "pulita.webp").read_bytes())
    with Image.open(tmp_path / "pulita.webp") as image:
        image.load()


# Made once


def test_the_cache_makes_each_file_once_and_remakes_a_damaged_one(tmp_path: Path) -> None:
    store = images.store.Store(tmp_path)
    (tmp_path / "a.avif").write_bytes(b"x" * 100)
    store.record("a.avif", 100)
    assert store.has("a.avif")
    (tmp_path / "a.avif").chmod(0o644)
    (tmp_path / "a.avif").write_bytes(b"")  # emptied in place
    assert not store.has("a.avif") and not (tmp_path / "a.avif").exists()
    assert store.damaged == 1
    (tmp_path / "b.webp").write_bytes(b"y")
    (tmp_path / "c.webp").write_bytes(b"z")
    assert store.prune({"b.webp"}) == 1 and (tmp_path / "b.webp").exists()


def test_the_site_never_shares_bytes_with_the_cache(tmp_path: Path) -> None:
    cache, output, live = tmp_path / "cache", tmp_path / "nuova", tmp_path / "viva"
    for folder in (cache, output, live / "images"):
        folder.mkdir(parents=True)
    (cache / "v.avif").write_bytes(b"avif")
    images.store.Placer(output).place(cache / "v.avif", "images/v.avif")
    assert (output / "images/v.avif").read_bytes() == b"avif"
    assert (output / "images/v.avif").stat().st_ino != (cache / "v.avif").stat().st_ino
    (live / "images/v.avif").write_bytes(b"avif")  # the live version has the same bytes
    build = type("Build", (), {"live": live, "in_place": False, "kept_files": set()})()
    images.store.Placer(tmp_path / "altra", build).place(cache / "v.avif", "images/v.avif")
    assert (tmp_path / "altra/images/v.avif").stat().st_ino == (
        live / "images/v.avif").stat().st_ino
    build.in_place = True
    images.store.Placer(tmp_path / "sosta", build).place(cache / "v.avif", "images/v.avif")
    assert build.kept_files == {"images/v.avif"} and not (tmp_path / "sosta").exists()


def test_a_copy_in_the_site_is_known_again_by_its_size_and_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache, live = tmp_path / "cache", tmp_path / "viva"
    cache.mkdir()
    (cache / "v.avif").write_bytes(b"avif")
    images.store.Placer(live).place(cache / "v.avif", "images/v.avif")
    assert (live / "images/v.avif").stat().st_mtime_ns == (cache / "v.avif").stat().st_mtime_ns
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"{self} read"))
    build = type("Build", (), {"live": live, "in_place": False, "kept_files": set()})()
    images.store.Placer(tmp_path / "nuova", build).place(cache / "v.avif", "images/v.avif")
    assert (tmp_path / "nuova/images/v.avif").stat().st_ino == (
        live / "images/v.avif").stat().st_ino


def test_the_facts_memo_reads_a_file_again_only_when_it_changes(tmp_path: Path) -> None:
    path = _photo(tmp_path / "a.jpg", (200, 100))
    memo = images.facts.FactsMemo()
    first = memo.facts(path)
    memo.save(tmp_path / "facts.json")
    again = images.facts.FactsMemo()
    again.load(tmp_path / "facts.json")
    assert again.facts(path) == first
    _photo(path, (100, 200))
    assert (again.facts(path).width, again.facts(path).height) == (100, 200)


def test_the_theme_picture_names_its_files_without_reading_them() -> None:
    theme = images.theme.ThemeImages()
    html = theme.markup("..", "kit/copertina.png", 600, 849, "(max-width: 40rem) 4rem, 5.5rem",
                        (64, 88), class_="kit-cover")
    assert 'class="kit-cover"' in html and 'loading="lazy"' in html
    assert "../kit/copertina-64.avif 64w, ../kit/copertina-88.avif 88w" in html
    assert "../kit/copertina-176.webp 176w" in html and 'src="../kit/copertina.png"' in html
    theme.markup("..", "kit/copertina.png", 600, 849, "10rem", (88, 160))
    assert theme.requested["kit/copertina.png"] == (600, 849, (64, 88, 160))


def test_encoder_settings_are_in_every_name() -> None:
    facts = images.facts.Facts("/x/a.jpg", "0" * 32, 800, 600, "JPEG", False, False)
    names = {v.url_path for v in images.variants.plan(facts, "images/a.jpg", [400])}
    original = dict(images.variants.PHOTO["avif"])
    try:
        images.variants.PHOTO["avif"]["quality"] = 61
        images.variants.settings_digest.cache_clear()
        other = {v.url_path for v in images.variants.plan(facts, "images/a.jpg", [400])}
    finally:
        images.variants.PHOTO["avif"].update(original)
        images.variants.settings_digest.cache_clear()
    assert names.isdisjoint(other)


def test_the_phone_photo_is_what_a_phone_writes() -> None:
    from PIL import Image

    data = phone_photo.jpeg(0)
    assert 3_500_000 < len(data) < 5_500_000
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (4032, 3024)
        assert image.getexif().get_ifd(0x8825)[1] == "N"


# The social card may show the post's photo


def test_a_post_with_a_photo_gets_a_card_with_it(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from PIL import Image, ImageStat

    og_image = local_plugin("og_image")
    source = tmp_path / "foto.jpg"
    source.write_bytes(phone_photo.jpeg(4, orientation=6))
    facts = images.facts.read_facts(source)
    article = SimpleNamespace(title="La scrivania di lunedì", slug="scrivania", metadata={},
                              category="Delega", card_photo={"path": facts.path,
                                                             "digest": facts.digest})
    plain = SimpleNamespace(title="Senza foto", slug="testo", metadata={}, category="Delega")
    cards = og_image.plan({"AUTHOR": "Giulia", "SITENAME": "Sito"}, [article, plain])
    assert article.og_image == "og/scrivania.jpg" and plain.og_image == "og/testo.png"
    card = cards["og/scrivania.jpg"]
    assert card.key() != og_image.Card(card.title, card.label, card.footer, card.monogram).key()
    og_image.render(card, tmp_path / "card.jpg")
    data = (tmp_path / "card.jpg").read_bytes()
    _no_camera(data)
    with Image.open(tmp_path / "card.jpg") as drawn:
        assert drawn.format == "JPEG" and drawn.size == (1200, 630) and not drawn.getexif()
        photo_side = ImageStat.Stat(drawn.crop((700, 20, 1180, 610)).convert("L"))
        paper_side = ImageStat.Stat(drawn.crop((20, 500, 60, 610)).convert("L"))
        assert photo_side.stddev[0] > 20 > paper_side.stddev[0]
    assert len(data) < 200_000


def test_only_a_large_photo_goes_on_the_card(tmp_path: Path) -> None:
    from types import SimpleNamespace

    _photo(tmp_path / "images" / "grande.jpg", (1600, 1200))
    _photo(tmp_path / "images" / "piccola.jpg", (640, 480))
    _photo(tmp_path / "images" / "schermata.png", (1600, 1200), fmt="PNG")
    for name, expected in (("grande.jpg", True), ("piccola.jpg", False),
                           ("schermata.png", False)):
        result = _rewrite(tmp_path, f'<img src="{{static}}/images/{name}" alt="">')
        post = SimpleNamespace(metadata={}, settings={"PATH": str(tmp_path)})
        assert (images._card_photo(post, result) is not None) is expected, name
    featured = SimpleNamespace(metadata={"image": "images/grande.jpg"},
                               settings={"PATH": str(tmp_path)})
    chosen = images._card_photo(featured, markup.Rewritten(""))
    assert chosen is not None and chosen["path"].endswith("grande.jpg")
