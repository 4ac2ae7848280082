"""A phone photo made with Pillow alone (no downloaded file): 4032×3024, ~4.3 MB of JPEG
at quality 95 like a phone's, with the EXIF a phone writes (maker, model, date, GPS
position, orientation). The tests and ``benchmarks/bench_images.py`` use it.

The picture is a desk-like scene: soft light (colour fields blended at four scales),
objects with hard edges and thin strokes, a lens blur, surface grain and sensor noise;
its detail costs an encoder about what a real photo's does (a real 12 MP phone JPEG is
3-5 MB). Made once per process (~4 s); :func:`variant` gives a different photo (a shift
and a tint, other bytes) from it in ~0.2 s.
"""

from __future__ import annotations

import functools
import io
import random
from pathlib import Path

WIDTH, HEIGHT = 4032, 3024
# Where the photo was taken (Milan's cathedral square): what must never be published.
GPS = {1: "N", 2: (45.0, 27.0, 50.5), 3: "E", 4: (9.0, 11.0, 29.0), 5: 0, 6: 122.0}
MAKER = "TelefonoDiGiulia"
MODEL = "Modello Segreto 12"


def _layer(rng: random.Random, size: tuple[int, int], cells: tuple[int, int], mode: str):
    from PIL import Image

    small = Image.frombytes(mode, cells, rng.randbytes(cells[0] * cells[1] * len(mode)))
    return small.resize(size, Image.Resampling.BICUBIC)


def _texture(rng: random.Random, image, octaves: tuple[tuple[int, float], ...]):
    from PIL import Image, ImageChops

    w, h = image.size
    for cells, amount in octaves:
        noise = _layer(rng, (w, h), (cells, max(1, cells * h // w)), "L").convert("RGB")
        image = Image.blend(image, ImageChops.overlay(image, noise), amount)
    return image


@functools.cache
def scene(seed: int = 1):
    """The photo's pixels (RGB, 4032×3024)."""
    from PIL import Image, ImageChops, ImageDraw, ImageFilter

    rng = random.Random(seed)
    image = _layer(rng, (WIDTH, HEIGHT), (4, 3), "RGB")
    image = _texture(rng, image, ((16, .35), (64, .22), (256, .14)))
    draw = ImageDraw.Draw(image)
    for _ in range(28):
        x, y = rng.randrange(WIDTH), rng.randrange(HEIGHT)
        w, h = rng.randrange(150, 1400), rng.randrange(150, 1000)
        colour = tuple(rng.randrange(40, 230) for _ in range(3))
        shape = rng.choice((draw.rectangle, draw.ellipse, draw.rounded_rectangle))
        shape((x, y, x + w, y + h), fill=colour, outline=tuple(c // 2 for c in colour), width=6)
    for _ in range(60):
        x, y = rng.randrange(WIDTH), rng.randrange(HEIGHT)
        draw.line((x, y, x + rng.randrange(-600, 600), y + rng.randrange(-300, 300)),
                  fill=tuple(rng.randrange(256) for _ in range(3)), width=rng.randrange(2, 12))
    image = image.filter(ImageFilter.GaussianBlur(1.5))
    image = _texture(rng, image, ((8, .3), (128, .18), (512, .2), (1344, .22)))
    sensor = Image.effect_noise((WIDTH, HEIGHT), 10).convert("RGB")
    return Image.blend(image, ImageChops.overlay(image, sensor), .30)


def exif_bytes(orientation: int = 1) -> bytes:
    """The EXIF block of a phone: maker, model, date, orientation, GPS position."""
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = MAKER
    exif[0x0110] = MODEL
    exif[0x0132] = "2026:09:14 08:15:00"
    exif[0x0112] = orientation
    exif[0x8825] = GPS
    return exif.tobytes()


def variant(number: int):
    """Photo ``number``: the scene shifted and tinted (other pixels, other bytes)."""
    from PIL import ImageChops

    image = ImageChops.offset(scene(), (number * 397) % WIDTH, (number * 211) % HEIGHT)
    if number:
        shift = 1 + number % 7
        image = image.point([min(255, v + shift) for v in range(256)] * 3)
    return image


def jpeg(number: int = 0, orientation: int = 1, quality: int = 95) -> bytes:
    """Photo ``number`` as a phone's JPEG, GPS and all."""
    out = io.BytesIO()
    variant(number).save(out, "JPEG", quality=quality, exif=exif_bytes(orientation),
                         comment=f"{MAKER} {MODEL}".encode())
    return out.getvalue()


def write(path: Path, number: int = 0, orientation: int = 1) -> Path:
    """Write photo ``number`` at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(jpeg(number, orientation))
    return path
