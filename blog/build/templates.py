"""Jinja's compiled templates kept in ``CACHE_PATH/jinja``: compiling the theme is a third
of a warm build.

Each entry is stored with the SHA-256 of its bytes and read back only when they match:
Jinja itself would hand a cut or altered entry to ``pickle`` and ``marshal`` (a crash
at best). An entry that does not verify is removed and the template compiled again;
the build says so once (:attr:`PortableBytecodeCache.damaged`). An entry that cannot be
saved (a full disk) is simply not kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import jinja2

MAGIC = b"blog-jinja-1\n"

# What changes the code Jinja compiles a template into, besides the template itself.
_JINJA_OPTIONS = ("block_start_string", "block_end_string", "variable_start_string",
                  "variable_end_string", "comment_start_string", "comment_end_string",
                  "line_statement_prefix", "line_comment_prefix", "trim_blocks",
                  "lstrip_blocks", "newline_sequence", "keep_trailing_newline", "optimized",
                  "autoescape")


class PortableBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's file cache with entries named by template name and what else changes the
    compiled code (Jinja's version, the environment's options, extensions, filters and
    tests), not by absolute path: a moved or copied project keeps its cache. Jinja
    checks each entry against its template's source, so an edit recompiles it.
    (Module level: Pelican's content cache pickles the settings that hold it.)"""

    def get_bucket(self, environment, name, filename, source):
        options = [repr(getattr(environment, option, None)) for option in _JINJA_OPTIONS]
        flavour = "\0".join([jinja2.__version__, *options, *sorted(environment.extensions),
                             "|", *sorted(environment.filters), "|", *sorted(environment.tests),
                             "|", name])
        key = hashlib.sha256(flavour.encode()).hexdigest()
        bucket = jinja2.bccache.Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    #: Entries found damaged (and removed) by this cache object.
    damaged: int = 0

    def load_bytecode(self, bucket: Any) -> None:
        filename = self._get_cache_filename(bucket)
        try:
            with open(filename, "rb") as handle:
                data = handle.read()
        except IsADirectoryError:
            self.damaged += 1
            shutil.rmtree(filename, ignore_errors=True)
            return
        except OSError:  # absent (the usual case): compiled anew
            return
        body = data[len(MAGIC) + 32:]
        if data.startswith(MAGIC) and hashlib.sha256(body).digest() == data[len(MAGIC):][:32]:
            try:
                bucket.bytecode_from_string(body)
                return
            except Exception:  # verified bytes this Jinja cannot read: compiled anew
                bucket.reset()
        elif data.startswith(jinja2.bccache.bc_magic):
            pass  # Jinja's own format (an older build): replaced, not damaged
        else:
            self.damaged += 1
        with contextlib.suppress(OSError):
            os.unlink(filename)

    def dump_bytecode(self, bucket: Any) -> None:
        filename = self._get_cache_filename(bucket)
        body = bucket.bytecode_to_string()
        fd, temporary = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=self.directory)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(MAGIC + hashlib.sha256(body).digest() + body)
            os.replace(temporary, filename)
        except OSError:  # not kept: compiled again next time
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def use_compiled_templates(settings: dict[str, Any]) -> PortableBytecodeCache | None:
    """Give Pelican's Jinja environment the bytecode cache (unless the settings have one);
    return it."""
    jinja = dict(settings.get("JINJA_ENVIRONMENT") or {})
    if "bytecode_cache" in jinja:
        return None
    folder = Path(settings["CACHE_PATH"]) / "jinja"
    folder.mkdir(parents=True, exist_ok=True)
    cache = PortableBytecodeCache(str(folder))
    jinja["bytecode_cache"] = cache
    settings["JINJA_ENVIRONMENT"] = jinja
    return cache
