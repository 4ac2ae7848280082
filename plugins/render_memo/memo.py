"""The render memo: which key each page of the live site was rendered from.

A build that knows the live version (its ``previous`` version) and finds, for a page,
the same key as last time takes that page's text from the live version instead of
rendering its template. The memo is valid only for the version it describes and for the
same inputs digest (settings, theme, plugins, kit, images: everything but the posts'
own sources, which the keys cover), and a page is reused only if its file is still the
one that build wrote (same size and time: a plain ``pelican`` run writing into the live
version through the ``output`` link, or the instant preview, make it render again).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

FORMAT = 2


class RenderMemo:
    """Keys of the pages of one build, and those of the previous build to compare with."""

    def __init__(self, file: Path, previous: Path | None, inputs: str,
                 known: dict[str, list[Any]], live: Path | None = None) -> None:
        self.file = file
        self.previous = previous
        # Updating ``previous`` in place: the pages reused are its own files, untouched.
        self.live = live
        self.reused_pages: set[str] = set()
        self.inputs = inputs
        self.known = known
        self.keys: dict[str, str] = {}
        self.reused = 0
        self.rendered = 0

    @classmethod
    def from_config(cls, config: dict[str, Any] | None) -> RenderMemo | None:
        """The memo the engine asked for; None: render everything."""
        config = config or {}
        if not config.get("file") or not config.get("inputs"):
            return None
        file = Path(config["file"])
        previous = Path(config["previous"]) if config.get("previous") else None
        known: dict[str, list[Any]] = {}
        try:
            stored = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            stored = {}
        if not isinstance(stored, dict) or not isinstance(stored.get("pages"), dict):
            stored = {}  # damaged: every page rendered, the memo written anew
        if (previous is not None and previous.is_dir()
                and stored.get("format") == FORMAT
                and stored.get("version") == previous.name
                and stored.get("inputs") == config["inputs"]):
            known = dict(stored.get("pages") or {})
        live = previous if config.get("in_place") and previous is not None else None
        return cls(file, previous, str(config["inputs"]), known, live)

    def reusable(self, name: str, key: str | None) -> Path | None:
        """Last build's file of page ``name`` when it was rendered from ``key``."""
        known = self.known.get(name)
        if key is None or self.previous is None or not known or known[0] != key:
            return None
        path = self.previous / name
        try:
            info = path.stat()
        except OSError:
            return None
        return path if [info.st_size, info.st_mtime_ns] == known[1:] else None

    def remember(self, name: str, key: str | None, *, reused: bool) -> None:
        if key is not None:
            self.keys[name] = key
        if reused:
            self.reused += 1
            self.reused_pages.add(name)
        else:
            self.rendered += 1

    def save(self, version: Path) -> None:
        """Write the keys of the build whose pages are in ``version``."""
        self.file.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.file.with_name(f"{self.file.name}.{os.getpid()}.tmp")
        pages = {}
        for name, key in self.keys.items():
            try:
                info = (version / name).stat()
            except OSError:
                continue
            pages[name] = [key, info.st_size, info.st_mtime_ns]
        temporary.write_text(json.dumps({"format": FORMAT, "version": version.name,
                                         "inputs": self.inputs, "pages": pages}),
                             encoding="utf-8")
        os.replace(temporary, self.file)
