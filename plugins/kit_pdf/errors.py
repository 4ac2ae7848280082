"""The one exception a kit build raises: it names the file (and line) at fault, in Italian."""

from __future__ import annotations

from pathlib import Path


class KitBuildError(Exception):
    """A kit source is broken: bad YAML, a template error, a missing or foreign font.

    ``path``, ``line`` (or None) and ``reason`` are kept apart for the build engine;
    the message starts with the file at fault, then the line when known, as in
    ``kit/templates/toc.html.j2:12: unexpected '}'``.
    """

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        self.path = Path(path) if path is not None else None
        self.line = line
        self.reason = message
        where = ""
        if self.path is not None:
            where = f"{self.path}:{line}: " if line else f"{self.path}: "
        super().__init__(f"{where}{message}")

    @property
    def file(self) -> Path | None:
        """The file at fault (same as ``path``)."""
        return self.path


def read_utf8(path: Path, what: str) -> str:
    """Read a kit source as UTF-8; a missing file or other bytes end in a KitBuildError."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise KitBuildError(f"manca {what}", path) from None
    except OSError as exc:
        raise KitBuildError(f"non riesco a leggere {what}: {exc.strerror}", path) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise KitBuildError(
            "il file non è in UTF-8 (byte "
            f"0x{raw[exc.start]:02x}): salvalo come UTF-8 dal tuo editor",
            path,
            line,
        ) from None
