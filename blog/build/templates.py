"""Jinja's compiled templates kept in ``CACHE_PATH/jinja``: compiling the theme is a third
of a warm build."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import jinja2

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


def use_compiled_templates(settings: dict[str, Any]) -> None:
    """Give Pelican's Jinja environment the bytecode cache (unless the settings have one)."""
    jinja = dict(settings.get("JINJA_ENVIRONMENT") or {})
    if "bytecode_cache" in jinja:
        return
    folder = Path(settings["CACHE_PATH"]) / "jinja"
    folder.mkdir(parents=True, exist_ok=True)
    jinja["bytecode_cache"] = PortableBytecodeCache(str(folder))
    settings["JINJA_ENVIRONMENT"] = jinja
