"""Signatures: a digest of everything a template could read from a value.

Two pages rendered from values with equal signatures are byte-identical, so the render
memo may reuse the page written last time. What counts:

* plain values (text, numbers, dates, lists, dicts) by their contents;
* a post or page (:class:`~pelican.contents.Content`) by its *core* (source file, raw
  HTML, metadata, URL, status and the addresses its ``{filename}`` links resolve to)
  plus whatever plugins attached to it (related posts, series, neighbours, reading
  time…); another post reached through those attributes counts by its core only;
* categories, tags and authors by name and address;
* a paginator (``articles_paginator``, a page's ``paginator``) by which posts it holds, in
  order: pagination shows the page's own posts, the paginator only counts and numbers;
* the context variables named in ``RENDER_MEMO_MEMBERSHIP`` (``categories``, ``tags``,
  a listing's next and previous pages) the same way: which posts each term or page
  holds, not what they say (the theme shows names, counts and addresses from them; the
  incremental-build test fails if a template starts showing more);
* any other object by its attributes, minus the build-wide ``settings`` and context
  (settings, theme and plugins are covered by the build's inputs digest).

What cannot be signed (a value too deep, an object with no attributes) raises
:class:`Unsignable`: that page is rendered, never guessed.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from pelican.contents import Content
from pelican.paginator import Page, Paginator
from pelican.urlwrappers import URLWrapper
from pelican_adapter import intrasite_links, raw_html

# Build-wide attributes: covered by the inputs digest, and huge.
SKIPPED_ATTRIBUTES = frozenset({"_context", "settings", "_content", "metadata"})
MAX_DEPTH = 12


class Unsignable(Exception):
    """A value the signer cannot describe; the page that reads it is rendered."""


def _hash(*parts: str) -> str:
    data = "\x1f".join(parts) + "\x1f"  # one update: hashing is half of a page's key
    return hashlib.blake2b(data.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class Signer:
    """Signs the values of one build; remembers each object's signature by identity."""

    def __init__(self) -> None:
        # id → (object, signature): the object is kept so that its id cannot be reused.
        self._deep: dict[int, tuple[Any, str]] = {}
        self._core: dict[int, tuple[Any, str]] = {}
        self._held: dict[int, tuple[Any, str]] = {}

    def sign(self, value: Any) -> str:
        """The signature of ``value`` as a template sees it."""
        return self._sign(value, 0, nested=False)

    def membership(self, value: Any) -> str:
        """Which posts ``value`` holds (by source and address), for values whose posts a
        template only counts or links by name."""
        known = self._held.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        signature = "m" + self._members(value, 0)
        self._held[id(value)] = (value, signature)
        return signature

    def _members(self, value: Any, depth: int) -> str:
        if depth > MAX_DEPTH:
            raise Unsignable(f"too deep: {type(value).__qualname__}")
        if isinstance(value, Content):
            return f"{getattr(value, 'source_path', '')}\x1d{value.status}"
        if isinstance(value, (list, tuple)):
            return _hash("l", *(self._members(item, depth + 1) for item in value))
        if isinstance(value, Page):  # the next or previous page of a listing
            return _hash("g", value.name, str(value.number), str(value.url),
                         self._members(value.object_list, depth + 1))
        return self._sign(value, depth + 1, nested=True)

    def core(self, content: Content) -> str:
        """What a post is by itself: source, raw HTML, metadata, address, links."""
        known = self._core.get(id(content))
        if known is not None and known[0] is content:
            return known[1]
        raw = raw_html(content)
        links = intrasite_links(content)
        metadata = getattr(content, "metadata", {}) or {}
        parts = [
            type(content).__qualname__,
            str(getattr(content, "source_path", "")),
            raw,
            self._sign(metadata, 1, nested=True),
            str(getattr(content, "url", "")),
            str(getattr(content, "save_as", "")),
            str(getattr(content, "status", "")),
            "\x1e".join(links),
        ]
        signature = _hash(*parts)
        self._core[id(content)] = (content, signature)
        return signature

    def _content(self, content: Content, depth: int) -> str:
        known = self._deep.get(id(content))
        if known is not None and known[0] is content:
            return known[1]
        attributes = {key: value for key, value in vars(content).items()
                      if key not in SKIPPED_ATTRIBUTES}
        signature = _hash(self.core(content), self._sign(attributes, depth + 1, nested=True))
        self._deep[id(content)] = (content, signature)
        return signature

    def _sign(self, value: Any, depth: int, *, nested: bool) -> str:
        if depth > MAX_DEPTH:
            raise Unsignable(f"too deep: {type(value).__qualname__}")
        # The exact built-in types first, by identity (most values of a page's context);
        # subclasses (Markup…) take the same branches below.
        kind = type(value)
        if kind is str:
            return "s" + value
        if kind is list or kind is tuple:
            return _hash("l", *[self._sign(item, depth + 1, nested=nested) for item in value])
        if kind is dict:
            return _hash("d", *[f"{self._sign(k, depth + 1, nested=nested)}="
                                f"{self._sign(v, depth + 1, nested=nested)}"
                                for k, v in value.items()])
        if value is None or isinstance(value, (bool, int, float)):
            return repr(value)
        if isinstance(value, str):  # Markup too
            return "s" + value
        if isinstance(value, (datetime.date, datetime.time)):
            return f"{type(value).__qualname__}:{value.isoformat()}:{getattr(value, 'tzinfo', '')}"
        if isinstance(value, datetime.tzinfo):
            return f"z{value}"
        if isinstance(value, Content):
            # Reached from another post: what that post is by itself is all it shows.
            return "c" + (self.core(value) if nested else self._content(value, depth))
        if isinstance(value, Paginator):
            return _hash("p", value.name, str(value.url), str(value.per_page),
                         str(value.orphans), self.membership(value.object_list))
        if isinstance(value, URLWrapper):
            return f"u{type(value).__qualname__}:{value.name}:{value.slug}:{value.url}"
        if isinstance(value, (list, tuple)):
            return _hash("l", *(self._sign(item, depth + 1, nested=nested) for item in value))
        if isinstance(value, (set, frozenset)):
            return _hash("e", *sorted(self._sign(item, depth + 1, nested=nested) for item in value))
        if isinstance(value, dict):
            return _hash("d", *(f"{self._sign(k, depth + 1, nested=nested)}="
                                f"{self._sign(v, depth + 1, nested=nested)}"
                                for k, v in value.items()))
        if callable(value) and hasattr(value, "__qualname__"):
            return f"f{getattr(value, '__module__', '')}.{value.__qualname__}"
        if hasattr(value, "__dict__"):
            known = self._deep.get(id(value))
            if known is not None and known[0] is value:
                return known[1]
            attributes = {key: item for key, item in vars(value).items()
                          if key not in SKIPPED_ATTRIBUTES}
            signature = _hash("o", type(value).__qualname__,
                              self._sign(attributes, depth + 1, nested=nested))
            self._deep[id(value)] = (value, signature)
            return signature
        raise Unsignable(type(value).__qualname__)
