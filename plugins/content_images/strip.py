"""An original the author links on purpose, published without its metadata.

``[la foto intera]({static}/images/scrivania.jpg)`` publishes the file itself, pixels
untouched, but never its GPS position, camera or dates: the metadata blocks are cut
out of the file without decoding it. JPEG: every ``APPn`` segment but JFIF, the colour
profile and Adobe's colour flag, every comment, and whatever a phone appends after the
picture (depth maps, HDR gain maps, each with an EXIF block of its own); the
orientation stays, as the only EXIF tag, so the photo still stands upright. PNG: the
text, time and EXIF chunks. WebP: the EXIF and XMP chunks. Any other format (AVIF,
HEIF) is re-encoded without metadata at high quality, as nothing simpler removes it
safely.
"""

from __future__ import annotations

import struct
from pathlib import Path

from .store import new_file

KEEP_APP2_PREFIX = b"ICC_PROFILE\x00"
STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM and RSTn: markers with no length
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_DROPPED = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"}


def _orientation_segment(orientation: int) -> bytes:
    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = orientation
    data = exif.tobytes()
    return b"\xff\xe1" + struct.pack(">H", len(data) + 2) + data


def jpeg(data: bytes, orientation: int = 1) -> bytes:
    """``data`` (a JPEG) without its metadata; raises ValueError if it is not one."""
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG")
    out = bytearray(b"\xff\xd8")
    pending = _orientation_segment(orientation) if orientation != 1 else b""
    pos = 2
    while pos + 2 <= len(data):
        if data[pos] != 0xFF:
            raise ValueError("JPEG marker expected")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:  # end of image: whatever follows is not the picture
            out += b"\xff\xd9"
            return bytes(out)
        if marker in STANDALONE:
            out += data[pos:pos + 2]
            pos += 2
            continue
        if pos + 4 > len(data):
            break
        length = struct.unpack(">H", data[pos + 2:pos + 4])[0]
        segment = data[pos:pos + 2 + length]
        pos += 2 + length
        keep = not (0xE1 <= marker <= 0xEF or marker == 0xFE) or marker == 0xEE or (
            marker == 0xE2 and segment[4:4 + len(KEEP_APP2_PREFIX)] == KEEP_APP2_PREFIX)
        if pending and marker != 0xE0:  # after JFIF's APP0, before anything else
            out += pending
            pending = b""
        if keep:
            out += segment
        if marker == 0xDA:  # a scan: entropy-coded data up to the next real marker
            start = pos
            while pos + 1 < len(data):
                if data[pos] == 0xFF and data[pos + 1] not in (0x00, *range(0xD0, 0xD8)):
                    break
                pos += 1
            out += data[start:pos]
    raise ValueError("JPEG without an end")


def png(data: bytes) -> bytes:
    """``data`` (a PNG) without its text, time and EXIF chunks."""
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG")
    out = bytearray(PNG_SIGNATURE)
    pos = len(PNG_SIGNATURE)
    while pos + 8 <= len(data):
        length = struct.unpack(">I", data[pos:pos + 4])[0]
        kind = data[pos + 4:pos + 8]
        end = pos + 12 + length
        if kind not in PNG_DROPPED:
            out += data[pos:end]
        pos = end
        if kind == b"IEND":
            return bytes(out)
    raise ValueError("PNG without an end")


def webp(data: bytes) -> bytes:
    """``data`` (a WebP) without its EXIF and XMP chunks."""
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise ValueError("not a WebP")
    chunks = bytearray()
    pos = 12
    while pos + 8 <= len(data):
        kind = data[pos:pos + 4]
        size = struct.unpack("<I", data[pos + 4:pos + 8])[0]
        chunk = bytearray(data[pos:pos + 8 + size + (size & 1)])
        pos += 8 + size + (size & 1)
        if kind in (b"EXIF", b"XMP "):
            continue
        if kind == b"VP8X":
            chunk[8] &= ~(0x08 | 0x04) & 0xFF  # the EXIF and XMP flags
        chunks += chunk
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WEBP" + bytes(chunks)


def clean_copy(source: Path, dest: Path, orientation: int = 1) -> int:
    """Write ``source`` without metadata at ``dest`` (read-only, by rename); its size."""
    data = source.read_bytes()
    suffix = source.suffix.lower()
    with new_file(dest) as temporary:
        if suffix in (".jpg", ".jpeg"):
            temporary.write_bytes(jpeg(data, orientation))
        elif suffix == ".png":
            temporary.write_bytes(png(data))
        elif suffix == ".webp":
            temporary.write_bytes(webp(data))
        elif suffix == ".gif":  # GIF carries no EXIF
            temporary.write_bytes(data)
        else:
            from .encode import upright

            image = upright(str(source))
            image.save(temporary, format="AVIF" if suffix == ".avif" else "PNG",
                       quality=90, exif=b"", xmp=b"", icc_profile=b"")
    return dest.stat().st_size
