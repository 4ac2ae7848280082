"""Front matter as Pelican's Markdown reader sees it, written and read back the same way.

Python-Markdown's ``meta`` extension reads ``Key: value`` lines up to the first blank
line (a line indented by four spaces continues the previous value; any other line ends
the front matter and belongs to the body); Pelican lowercases the keys and runs its
metadata processors (tags split on ``;`` if there is one, else on ``,``; dates parsed;
categories, tags and authors slugified). :func:`parse` reads exactly those lines, so the
importer can check what it is about to write against what the build will read, and
:func:`processed` gives Pelican's own values for them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

META = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)")
MORE = re.compile(r"^[ ]{4,}(?P<value>.*)")


def render(pairs: Iterable[tuple[str, str]]) -> str:
    """``Key: value`` lines (each value on one line) and the blank line after them."""
    return "".join(f"{key}: {value}\n" for key, value in pairs) + "\n"


def parse(text: str) -> dict[str, list[str]]:
    """The front matter of a Markdown source: lowercased key → its values, in order."""
    meta: dict[str, list[str]] = {}
    key = None
    for line in text.split("\n"):
        if not line.strip():
            break
        match = META.match(line)
        if match:
            key = match["key"].lower()
            meta.setdefault(key, []).append(match["value"].strip())
            continue
        more = MORE.match(line)
        if more and key:
            meta[key].append(more["value"].strip())
            continue
        break
    return meta


def body(text: str) -> str:
    """What follows the front matter."""
    return text.split("\n\n", 1)[1] if "\n\n" in text else ""


def processed(meta: dict[str, list[str]], settings: dict[str, Any],
              errors: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    """Pelican's values for ``meta`` (``BaseReader.process_metadata``, as its Markdown
    reader calls it: a key given more than once is a list). A value Pelican refuses
    (a date it cannot read) is left out and, with ``errors``, listed as (key, reason)."""
    from pelican.readers import BaseReader

    reader = BaseReader(settings)
    out = {}
    for key, values in meta.items():
        try:
            value = reader.process_metadata(key, values if len(values) > 1 else values[0])
        except (ValueError, TypeError, OverflowError) as exc:
            if errors is not None:
                errors.append((key, str(exc)))
            continue
        if type(value) is not object:  # Pelican's marker for "no value": the key is dropped
            out[key] = value
    return out
