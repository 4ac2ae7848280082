"""Reading back the index Pagefind wrote, before anything is switched to it.

Pagefind exits 0 when it could not write its files (a full disk leaves
``pagefind-entry.json`` at 0 bytes and ``pagefind-worker.js`` cut short), so its exit
code proves nothing. :func:`check_bundle` reads every part back:

- ``pagefind-entry.json`` parses and names, for each language, its ``.pf_meta``;
- each ``.pf_meta`` (gzip, Pagefind's ``pagefind_dcd`` mark, then CBOR) decodes and names
  its pages, index chunks and filters: every ``fragment/*.pf_fragment``,
  ``index/*.pf_index`` and ``filter/*.pf_filter`` it names is there, not empty, and
  decompresses whole (gzip's CRC and length);
- the first part also holds the script, the worker and the WebAssembly of each language
  (gzip, checked the same way); the script and worker must be byte for byte what this
  Pagefind writes, as its own Python API gives them in memory (:mod:`.search_reference`);
- ``parti.json`` lists folders that are there.

Cost at 1,000 posts (7 parts, 1,062 files, 3.4 MB): about 100 ms to read everything back,
so a part linked from the live version whose files still have the size and time they
had when that build read them back (``trusted``) has only its ``.pf_meta``, script and
worker read, and the rest looked at (one ``stat`` each).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

MAGIC = b"pagefind_dcd"
ENTRY = "pagefind-entry.json"
SCRIPTS = ("pagefind.js", "pagefind-worker.js")


class BrokenIndex(Exception):
    """A file of the index is missing or not whole: ``file`` (in the bundle), ``reason``."""

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason


def _cbor(data: bytes, at: int = 0) -> tuple[Any, int]:
    """One CBOR item of ``data`` from ``at`` (the subset Pagefind writes), and where the
    next one starts."""
    head = data[at]
    major, info = head >> 5, head & 31
    at += 1
    if info < 24:
        value = info
    elif info <= 27:
        size = 1 << (info - 24)
        if at + size > len(data):
            raise ValueError("CBOR troncato")
        value = int.from_bytes(data[at:at + size], "big")
        at += size
    else:
        raise ValueError(f"CBOR non previsto ({head:#x})")
    if major == 0:
        return value, at
    if major == 1:
        return -1 - value, at
    if major in (2, 3):
        if at + value > len(data):
            raise ValueError("CBOR troncato")
        chunk = data[at:at + value]
        return (chunk.decode("utf-8") if major == 3 else chunk), at + value
    if major == 4:
        items = []
        for _ in range(value):
            item, at = _cbor(data, at)
            items.append(item)
        return items, at
    if major == 5:
        mapping = {}
        for _ in range(value):
            key, at = _cbor(data, at)
            mapping[key], at = _cbor(data, at)
        return mapping, at
    if major == 7:
        return {20: False, 21: True, 22: None}.get(value, value), at
    raise ValueError(f"CBOR non previsto ({head:#x})")


Trusted = Callable[[Path], bool]


def _gunzip(path: Path, rel: str, *, marked: bool = True,
            trusted: Trusted | None = None) -> bytes:
    """The whole decompressed file (its CRC checked), or BrokenIndex. A file ``trusted``
    vouches for (the same size and time as when an earlier build read it back whole) is
    only looked at, not decompressed: b"" is returned."""
    if trusted is not None:
        try:
            if trusted(path):
                return b""
        except OSError:
            pass
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise BrokenIndex(rel, "manca") from None
    except OSError as exc:
        raise BrokenIndex(rel, f"non si legge ({exc.strerror})") from None
    if not data:
        raise BrokenIndex(rel, "è vuoto")
    try:
        plain = gzip.decompress(data)
    except (OSError, EOFError, zlib.error):
        raise BrokenIndex(rel, "è troncato o rovinato (gzip non valido)") from None
    if marked and not plain.startswith(MAGIC):
        raise BrokenIndex(rel, "non è un file di Pagefind")
    return plain


def _meta(folder: Path, prefix: str, language: str, info: Any) -> list[str]:
    """The files a language's ``.pf_meta`` names, relative to the part."""
    if not isinstance(info, dict) or not isinstance(info.get("hash"), str):
        raise BrokenIndex(prefix + ENTRY, f"la lingua «{language}» non ha l’indice")
    rel = f"pagefind.{info['hash']}.pf_meta"
    data = _gunzip(folder / rel, prefix + rel)
    try:
        meta, end = _cbor(data, len(MAGIC))
    except (ValueError, IndexError, UnicodeDecodeError):
        raise BrokenIndex(prefix + rel, "è troncato o rovinato (CBOR non valido)") from None
    if end != len(data) or not isinstance(meta, list) or len(meta) < 4:
        raise BrokenIndex(prefix + rel, "non ha la forma di un indice di Pagefind")
    pages, chunks, filters = meta[1], meta[2], meta[3]
    try:
        named = [f"fragment/{page[0]}.pf_fragment" for page in pages]
        named += [f"index/{chunk[2]}.pf_index" for chunk in chunks]
        named += [f"filter/{item[1]}.pf_filter" for item in filters]
    except (TypeError, IndexError, KeyError):
        raise BrokenIndex(prefix + rel, "non ha la forma di un indice di Pagefind") from None
    count = info.get("page_count")
    if isinstance(count, int) and count != len(pages):
        raise BrokenIndex(prefix + rel, f"elenca {len(pages)} pagine invece di {count}")
    return named


def check_part(folder: Path, prefix: str, *, first: bool,
               scripts: Callable[[], dict[str, str] | None] | None = None,
               trusted: Trusted | None = None) -> None:
    """Read one part back (``prefix``: its path in the site, for the messages);
    ``trusted``: see :func:`_gunzip` (for the pages' records and index chunks)."""
    try:
        entry = json.loads((folder / ENTRY).read_bytes())
    except FileNotFoundError:
        raise BrokenIndex(prefix + ENTRY, "manca") from None
    except (OSError, ValueError):
        raise BrokenIndex(prefix + ENTRY, "è vuoto o troncato (JSON non valido)") from None
    languages = entry.get("languages") if isinstance(entry, dict) else None
    if not isinstance(languages, dict) or not languages:
        raise BrokenIndex(prefix + ENTRY, "non nomina nessuna lingua")
    for language, info in languages.items():
        for rel in _meta(folder, prefix, language, info):
            _gunzip(folder / rel, prefix + rel, trusted=trusted)
        if first:
            wasm = f"wasm.{info.get('wasm') or language}.pagefind"
            _gunzip(folder / wasm, prefix + wasm, marked=False)
    if first:
        _check_scripts(folder, prefix, scripts)


def _check_scripts(folder: Path, prefix: str,
                   scripts: Callable[[], dict[str, str] | None] | None) -> None:
    expected = scripts() if scripts is not None else None
    for name in SCRIPTS:
        try:
            data = (folder / name).read_bytes()
        except FileNotFoundError:
            raise BrokenIndex(prefix + name, "manca") from None
        except OSError as exc:
            raise BrokenIndex(prefix + name, f"non si legge ({exc.strerror})") from None
        if not data:
            raise BrokenIndex(prefix + name, "è vuoto")
        if expected and expected.get(name) not in (None, hashlib.sha256(data).hexdigest()):
            raise BrokenIndex(prefix + name, f"è diverso da quello di Pagefind ({len(data)} "
                                             "byte: troncato o rovinato)")


def check_bundle(bundle: Path, parts: Iterable[str], site_prefix: str = "pagefind/",
                 scripts: Callable[[], dict[str, str] | None] | None = None) -> None:
    """Read back the whole index: the bundle (the first part) and every listed part."""
    check_part(bundle, site_prefix, first=True, scripts=scripts)
    for part in parts:
        folder = part.strip("/")
        if not (bundle / folder).is_dir():
            raise BrokenIndex(f"{site_prefix}{folder}/", "manca (parti.json lo elenca)")
        check_part(bundle / folder, f"{site_prefix}{folder}/", first=False)
