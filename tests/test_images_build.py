"""A phone photo in a post, as the author adds it, through the whole build and Chromium.

A copy of the site gets two 4032×3024 phone photos made with Pillow (tests/phone_photo.py:
~4.3 MB each, EXIF with maker, model, date and GPS position; one taken upright, EXIF
orientation 6) in a post that also links the first one whole. Then:

- no published file carries the GPS position or the camera, and the original bytes are
  nowhere in the site;
- Chromium at 375 px DPR 2 and at 1280 px DPR 1 downloads each photo once, as AVIF, within
  ``PAGE_BUDGETS`` (120 kB and 220 kB), shows it at the size its ``width``/``height``
  announce, with no layout shift while the page loads and scrolls;
- ``invoke check --quick`` passes (links, static files, page weight); an edit build makes
  no new file; a replaced photo makes only its own, and its old files
  leave the cache; a missing, empty or damaged image stops the build with the post's
  file and line, and ``output/`` stays as it was;
- in livereload, a photo added to the open post is made (its files only) and served,
  and a text edit after it keeps them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from blog.checks.budget import PAGE_BUDGETS, page_loads
from tests import phone_photo
from tests.sitecopy import copy_project, invoke

pytestmark = [pytest.mark.slow, pytest.mark.browser]

POST = """Title: La scrivania di lunedì
Date: 2026-10-05 09:00
Category: Delega
Tags: prova
Slug: la-scrivania-di-lunedi
Summary: Due foto della scrivania prima di delegare.

Il lunedì mattina la scrivania racconta la settimana che viene.

![La scrivania vista dall’alto]({static}/images/scrivania.jpg "La scrivania, lunedì alle otto")

Prima di delegare conviene guardarla bene: ogni foglio è un’attività che aspetta.
{filler}

![Il quaderno delle attività, in piedi]({static}/images/ritratto.jpg)

Qui sotto [la foto intera della scrivania]({static}/images/scrivania.jpg), per chi la vuole
stampare.
"""
FILLER = "\n\n".join(["Un paragrafo di testo tra le due foto, per allontanarle come in un "
                      "articolo vero: la seconda deve arrivare solo scorrendo la pagina."] * 8)
PAGE = "la-scrivania-di-lunedi/index.html"
CLS_OBSERVER = """window.__cls = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__cls += entry.value;
}).observe({type: "layout-shift", buffered: true});"""


def _log(project: Path) -> str:
    return (project / ".cache" / "ultima-build.log").read_text(encoding="utf-8")


def _made(project: Path) -> tuple[int, int]:
    """(new files, files taken from the cache out of the pruned) of the last build."""
    found = re.findall(r"content_images: \d+ immagini, \d+ file \((\d+) nuovi, \d+ dalla "
                       r"cache, (\d+) tolti", _log(project))
    assert found, _log(project)[-2000:]
    return int(found[-1][0]), int(found[-1][1])


def _photo_project(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    project = copy_project(tmp_path_factory.mktemp(name) / "project")
    images = project / "content" / "images"
    phone_photo.write(images / "scrivania.jpg", 0)
    phone_photo.write(images / "ritratto.jpg", 1, orientation=6)
    (project / "content" / "articles" / "la-scrivania-di-lunedi.md").write_text(
        POST.replace("{filler}", FILLER), encoding="utf-8")
    result = invoke(project, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    return project


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built post with photos, never changed by a test (``site`` is its version)."""
    return _photo_project(tmp_path_factory, "foto")


@pytest.fixture(scope="module")
def changing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same, for the tests that edit and rebuild it (in any order: pytest-randomly);
    their new versions would otherwise remove the one ``site`` points at."""
    return _photo_project(tmp_path_factory, "foto-modificate")


@pytest.fixture(scope="module")
def site(project: Path) -> Path:
    return (project / "output").resolve()


def test_no_published_file_carries_the_position_or_the_camera(project: Path, site: Path) -> None:
    from PIL import Image

    originals = {(project / "content/images" / n).read_bytes()
                 for n in ("scrivania.jpg", "ritratto.jpg")}
    secrets = (phone_photo.MAKER.encode(), phone_photo.MODEL.encode())
    images = 0
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        assert not any(secret in data for secret in secrets), path
        assert data not in originals, path
        if path.suffix.lower() in (".jpg", ".jpeg", ".png", ".webp", ".avif"):
            images += 1
            with Image.open(path) as image:
                exif = image.getexif()
                assert not exif.get_ifd(0x8825), f"GPS in {path}"
                assert set(exif) <= {0x0112}, path  # at most the orientation
    assert images > 20
    # The linked original is there, whole and upright, without its metadata.
    with Image.open(site / "images" / "scrivania.jpg") as whole:
        assert whole.size == (4032, 3024) and not whole.getexif()
    assert 'href="../images/scrivania.jpg"' in (site / PAGE).read_text(encoding="utf-8")


def test_the_social_card_shows_the_photo(site: Path) -> None:
    from PIL import Image, ImageStat

    html = (site / PAGE).read_text(encoding="utf-8")
    assert re.search(r'<meta property="og:image" content="[^"]*/og/la-scrivania-di-lunedi\.jpg"',
                     html)
    with Image.open(site / "og" / "la-scrivania-di-lunedi.jpg") as card:
        assert card.format == "JPEG" and card.size == (1200, 630) and not card.getexif()
        assert ImageStat.Stat(card.crop((700, 20, 1180, 610)).convert("L")).stddev[0] > 20


def _downloads(browser, base: str, viewport: dict, scale: int) -> tuple[list, list, float]:
    """The photo files Chromium fetches for the post, what each ``<img>`` shows, the CLS."""
    context = browser.new_context(locale="it-IT", viewport=viewport, device_scale_factor=scale)
    context.add_init_script(CLS_OBSERVER)
    tab = context.new_page()
    fetched = []
    tab.on("response", lambda r: fetched.append(r) if r.request.resource_type == "image" else None)
    tab.goto(f"{base}/{PAGE.removesuffix('index.html')}")
    tab.wait_for_load_state("networkidle")
    height = tab.evaluate("document.documentElement.scrollHeight")
    for y in range(0, height, viewport["height"] // 2):  # as a reader scrolls
        tab.evaluate(f"window.scrollTo(0, {y})")
        tab.wait_for_timeout(120)
    tab.wait_for_load_state("networkidle")
    tab.wait_for_function("[...document.querySelectorAll('.prose img')].every(i => i.complete)")
    shown = tab.evaluate("""[...document.querySelectorAll('.prose picture img')].map(i => ({
        src: i.currentSrc, width: +i.getAttribute('width'), height: +i.getAttribute('height'),
        boxWidth: i.getBoundingClientRect().width, boxHeight: i.getBoundingClientRect().height,
        natural: i.naturalWidth, loading: i.getAttribute('loading')}))""")
    cls = tab.evaluate("window.__cls")
    photos = [(r.url, r.headers.get("content-type"), len(r.body())) for r in fetched
              if re.search(r"/images/(scrivania|ritratto)-", r.url)]
    context.close()
    return photos, shown, cls


@pytest.mark.parametrize(("viewport", "scale", "budget", "column"), [
    ({"width": 375, "height": 667}, 2, PAGE_BUDGETS["photo_phone"], 343),
    ({"width": 1280, "height": 800}, 1, PAGE_BUDGETS["photo_desktop"], 736),
])
def test_phones_and_desktops_download_small_avif_photos_without_layout_shift(
        site: Path, browser, viewport: dict, scale: int, budget: int, column: int) -> None:
    from tests.browser_support import serve_directory

    with serve_directory(site) as base:
        photos, shown, cls = _downloads(browser, base, viewport, scale)
    assert len(photos) == 2, photos  # each photo once, one size
    for url, kind, size in photos:
        assert kind == "image/avif", url
        assert size <= budget, f"{url}: {size} byte"
    assert {re.sub(r"^.*/", "", u) for u, *_ in photos} == {
        re.sub(r"^.*/", "", s["src"]) for s in shown}
    landscape, portrait = shown
    assert (landscape["width"], landscape["height"]) == (736, 552)
    assert (portrait["width"], portrait["height"]) == (480, 640)  # upright, 640 px tall
    assert landscape["loading"] is None and portrait["loading"] == "lazy"
    for image in shown:
        assert image["boxWidth"] == pytest.approx(min(column, image["width"]), abs=1)
        assert image["boxHeight"] == pytest.approx(
            image["boxWidth"] * image["height"] / image["width"], abs=1.5)
        assert image["natural"] > 0
    assert cls == 0


def test_the_page_weight_check_measures_the_photos(site: Path, browser) -> None:
    desktop = page_loads(site, [PAGE], browser)[PAGE].weights()
    phone = page_loads(site, [PAGE], browser, phone=True)[PAGE].weights()
    assert 0 < desktop["photo_desktop"] <= PAGE_BUDGETS["photo_desktop"]
    assert 0 < phone["photo_phone"] <= PAGE_BUDGETS["photo_phone"]
    assert desktop["photo_formats"] == phone["photo_formats"] == 0
    assert desktop["photos"] <= PAGE_BUDGETS["photos"]
    assert desktop["image"] <= PAGE_BUDGETS["image"] and desktop["total"] <= PAGE_BUDGETS["total"]


def test_invoke_check_passes_on_the_post_with_photos(project: Path, site: Path) -> None:
    """Links, static files (a shown photo's address holds its largest variant: in use),
    page weight with the photo budgets, as the author runs it."""
    result = invoke(project, "check", "--quick", "--site", str(site))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "✓ Peso delle pagine" in result.stdout and "✓ File statici" in result.stdout


def test_edits_make_only_what_changed_and_broken_images_stop_the_build(changing: Path) -> None:
    post = changing / "content" / "articles" / "la-scrivania-di-lunedi.md"
    post.write_text(post.read_text(encoding="utf-8") + "\nUna riga aggiunta.\n", encoding="utf-8")
    result = invoke(changing, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    assert _made(changing) == (0, 0)
    assert re.search(r"og_image: \d+ immagini \(0 disegnate", _log(changing))  # card kept

    cache = changing / ".cache" / "images"
    before = {p.name for p in cache.iterdir()}
    phone_photo.write(changing / "content/images/ritratto.jpg", 5, orientation=6)
    result = invoke(changing, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    made, pruned = _made(changing)
    assert made == 15 and pruned == 15  # five widths, three formats, for that photo only
    after = {p.name for p in cache.iterdir()}
    assert len(after - before) == 15 and len(before - after) == 15

    live = (changing / "output").resolve()
    images = changing / "content" / "images"
    for name, content, reason in (
            ("vuota.jpg", b"", "il file è vuoto (0 byte)"),
            ("troncata.jpg", phone_photo.jpeg(6)[:300_000], "il file è troncato"),
            ("finta.jpg", b"<html>non sono una foto</html>", "non è un’immagine")):
        (images / name).write_bytes(content)
        post.write_text(post.read_text(encoding="utf-8")
                        + f"\n![Rotta]({{static}}/images/{name})\n", encoding="utf-8")
        line = len(post.read_text(encoding="utf-8").splitlines())
        result = invoke(changing, "build")
        output = result.stdout + result.stderr
        assert result.returncode != 0, output
        assert (f"content/articles/la-scrivania-di-lunedi.md:{line}: immagine "
                f"images/{name}: ") in output and reason in output, output
        assert "difetto del codice" not in output
        assert (changing / "output").resolve() == live  # output/ as it was
        post.write_text(post.read_text(encoding="utf-8").replace(
            f"\n![Rotta]({{static}}/images/{name})\n", ""), encoding="utf-8")
        (images / name).unlink()


def test_livereload_makes_a_new_photo_s_files_and_keeps_the_others(changing: Path) -> None:
    import urllib.request

    from tests.workflow_support import LiveServer, wait_for

    cache = changing / ".cache" / "images"
    post = changing / "content" / "articles" / "la-scrivania-di-lunedi.md"
    server = LiveServer(changing)
    try:
        before = {p.name for p in cache.iterdir()}
        phone_photo.write(changing / "content/images/nuova.jpg", 7)
        post.write_text(post.read_text(encoding="utf-8")
                        + "\n![Una foto nuova]({static}/images/nuova.jpg)\n", encoding="utf-8")
        page = f"{server.url}/la-scrivania-di-lunedi/"

        def variant() -> str | None:
            html = urllib.request.urlopen(page).read().decode("utf-8")
            found = re.search(r"\.\./(images/nuova-736\.[0-9a-f]{10}\.avif)", html)
            return found.group(1) if found else None

        url = f"{server.url}/{wait_for(variant, 120, 'la foto nuova nella pagina')}"

        def served() -> bool:
            try:
                with urllib.request.urlopen(url) as response:
                    return response.headers["Content-Type"] == "image/avif"
            except OSError:
                return False

        wait_for(served, 60, "la versione AVIF della foto nuova")
        made = {p.name for p in cache.iterdir()} - before
        assert len(made) == 15, made  # five widths, three formats: that photo's only
        since = len(server.lines)
        post.write_text(post.read_text(encoding="utf-8") + "\nSolo testo.\n", encoding="utf-8")
        server.wait_line(r"Sito aggiornato", since)
        assert served() and {p.name for p in cache.iterdir()} - before == made
    finally:
        server.stop()
