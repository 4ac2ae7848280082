"""The build engine: every task that builds the site (build, preview, publish, regenerate,
livereload, check) goes through :class:`Engine`.

One build, in this process:

1. the settings file is read (it decides everything environment-specific: URLs, caches,
   drafts, dates); a new version folder is made beside ``output`` (see ``outputs``);
2. ``Pelican(settings)``: the kit plugin builds (or finds in its cache) the PDF;
3. ``pelican.run()`` writes the site into the version folder. Every warning or error
   Pelican or a plugin logs is captured by a logging handler and turned into a
   :class:`~blog.build.errors.Problem` (file, line, Italian reason): any problem fails
   the build, like Pelican's ``--fatal warnings``;
4. Pagefind indexes the version folder, then the caller's extra steps run on it;
5. ``output`` is switched to the new version in one rename.

livereload's rebuilds (``in_place=True``) update the live version instead of making a
new one: the pages rendered go to a staging folder and are moved in one by one once
the build succeeded (see :meth:`Engine.build`); the search index is its business.

A failure raises :class:`~blog.build.errors.BuildError` and removes the new version:
``output`` still points at the last good site. Tracebacks go to ``.cache/ultima-build.log``,
never to the author's terminal.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import shutil
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from blog.build import outputs
from blog.build.errors import BuildError, Problem
from blog.build.problems import Context, from_exception, from_record, is_broken_cache
from blog.report import (
    KitFacts,
    Steps,
    count_html_pages,
    kit_facts,
    plural,
    seconds_it,
    site_summary,
)

Say = Callable[[str], None]
PostStep = Callable[[Path], None]
SETTINGS_MODULES = ("pelicanconf", "publishconf")
# Libraries whose warnings are advice, not a broken site (WeasyPrint's CSS notes…).
ADVISORY_LOGGERS = ("weasyprint", "fontTools", "PIL", "markdown")
# INFO lines worth showing the author while a build runs.
SHOWN_INFO_LOGGERS = ("kit_pdf", "reproducible", "static_guard", "render_memo")


@dataclass
class BuildResult:
    """What a build produced."""

    settings_file: Path
    output: Path
    version: Path
    pages: int
    kit: KitFacts | None
    search: bool
    timings: dict[str, float] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    # Pages rendered by their templates and pages taken unchanged from the live site.
    rendered: int | None = None
    reused: int | None = None

    def summary(self, label: str | None = None) -> str:
        """``Sito pronto in output/: 39 pagine HTML, kit 14 pagine 169 kB, 2,7 s``."""
        return site_summary(label or f"Sito pronto in {self.output.name}/", self.output,
                            self.seconds, pages=self.pages, kit=self.kit)


def _echo(line: str) -> None:
    print(line, flush=True)


def read_settings(settings_file: Path, override: dict[str, Any] | None = None) -> dict[str, Any]:
    """Pelican's settings from ``settings_file`` (with Pelican's defaults, absolute paths)."""
    from pelican.settings import read_settings as pelican_read_settings

    for name in {*SETTINGS_MODULES, settings_file.stem}:
        sys.modules.pop(name, None)  # re-read: a long-running process sees edits
    return pelican_read_settings(str(settings_file), override=override or {})


class _Capture(logging.Handler):
    """Collect a build's warnings and errors as problems; echo the kit's progress.

    Only records logged by the building thread count: a server thread of livereload
    logging at the same time is not the build's business."""

    def __init__(self, ctx: Context, say: Say, log: Any) -> None:
        super().__init__(logging.DEBUG)
        self.thread = threading.get_ident()
        self.ctx = ctx
        self.say = say
        self.log = log
        self.problems: list[Problem] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread:
            return
        try:
            message = record.getMessage()
        except Exception:  # a plugin's malformed log call: keep its raw text
            message = str(record.msg)
        self.log.write(f"{record.levelname} {record.name}: {message}\n")
        if record.exc_info and record.exc_info[1] is not None:
            self.log.write("".join(traceback.format_exception(*record.exc_info)))
        if record.levelno >= logging.WARNING and not record.name.startswith(ADVISORY_LOGGERS):
            if _repeats(record, self.problems, self.ctx.content):
                return
            self.problems.append(from_record(self.ctx, record))
        elif record.levelno == logging.INFO and record.name.startswith(SHOWN_INFO_LOGGERS):
            self.say(f"      {message}")


def _repeats(record: logging.LogRecord, problems: list[Problem], content: Path) -> bool:
    """Pelican's «Unable to find …» for a link our plugin already named with its line, or
    for a file that exists but could not be read (its own problem says why)."""
    if not str(record.msg).startswith("Unable to find") or not record.args:
        return False
    target = str(record.args[0] if isinstance(record.args, tuple) else record.args)
    return (any(target in problem.reason for problem in problems)
            or (content / target.lstrip("/")).is_file())


@contextlib.contextmanager
def _captured(ctx: Context, say: Say, log: Any) -> Iterator[_Capture]:
    from pelican.log import LimitFilter, console

    # Pelican drops a warning it has already shown once in this process; a long-running
    # livereload must see the same mistake again on the next build.
    LimitFilter._raised_messages.clear()
    LimitFilter._group_count.clear()
    handler = _Capture(ctx, say, log)
    root = logging.getLogger()
    # «Writing "…"» for every page, reused or not: 2,000 records a build at 1,000 posts
    # that nobody reads (the build log keeps the rest).
    writers = logging.getLogger("pelican.writers")
    level, quiet, writers_level = root.level, console.quiet, writers.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    writers.setLevel(logging.WARNING)
    console.quiet = True  # Pelican's own «Done: Processed …» line
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        writers.setLevel(writers_level)
        console.quiet = quiet


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


def _compiled_templates(settings: dict[str, Any]) -> None:
    """Keep Jinja2's compiled templates in ``CACHE_PATH/jinja``: compiling the theme is a
    third of a warm build (see :class:`PortableBytecodeCache`)."""
    jinja = dict(settings.get("JINJA_ENVIRONMENT") or {})
    if "bytecode_cache" in jinja:
        return
    folder = Path(settings["CACHE_PATH"]) / "jinja"
    folder.mkdir(parents=True, exist_ok=True)
    jinja["bytecode_cache"] = PortableBytecodeCache(str(folder))
    settings["JINJA_ENVIRONMENT"] = jinja


class Engine:
    """Builds one settings file into one output folder; keep it to build again."""

    def __init__(self, settings_file: Path, *, output: Path | None = None, drafts: bool = False,
                 say: Say | None = None, override: dict[str, Any] | None = None,
                 render_memo: bool = True, keep_site: bool = False) -> None:
        self.settings_file = Path(settings_file).resolve()
        # False: render every page (a reference build to compare an incremental one with).
        self.render_memo = render_memo
        self.counts: tuple[int, int] | None = None
        # livereload: the last good build's site, in memory, for the instant preview.
        self.keep_site = keep_site
        self.site: Any = None
        self._generators: list[Any] = []
        self._memo_build: Any = None  # the render memo of the build under way
        # The theme's templates as the render memo parsed them (by source), kept for the
        # next build of this process: parsing them is ~0.1 s of every build.
        self._parsed_templates: dict[str, Any] = {}
        self.root = self.settings_file.parent
        self.drafts = drafts
        # Settings a caller sets on top of the file's (publish: CSP_META for gh-pages).
        self.extra_settings = dict(override or {})
        self.say = say or _echo
        self.output = Path(output).absolute() if output else self._settings_output()

    def _settings_output(self) -> Path:
        return Path(read_settings(self.settings_file)["OUTPUT_PATH"])

    def _override(self, version: Path) -> dict[str, Any]:
        override: dict[str, Any] = {"OUTPUT_PATH": str(version), "DELETE_OUTPUT_DIRECTORY": False}
        if self.drafts:
            preview = read_settings(self.settings_file).get("DRAFTS_PREVIEW") or {}
            if not preview:
                raise BuildError(Problem(self.settings_file.name, None,
                                         "queste impostazioni non prevedono l’anteprima delle "
                                         "bozze (DRAFTS_PREVIEW è vuoto)"))
            override.update(preview)
        override.update(self.extra_settings)
        return override

    def build(self, *, search: bool = True, post_steps: Sequence[PostStep] = (),
              steps: Steps | None = None, skip_unchanged: bool = False,
              tidy: bool = True, in_place: bool = False) -> BuildResult:
        """Build into a new version of ``output`` and switch to it; raise BuildError.

        ``post_steps`` run on the new version before the switch, silently (a caller that
        wants them numbered passes its own ``steps`` and announces them itself).
        ``skip_unchanged``: when the live version was built from exactly the same inputs
        (:mod:`blog.build.fingerprint`), build nothing and return it.
        ``tidy=False``: leave the older versions for :meth:`tidy` (livereload removes
        them after the reload, not before it).
        ``in_place`` (livereload, with ``search=False``): update the live version instead
        of writing a new one. Only the pages whose keys changed are rendered, into a
        staging folder, and moved in once the whole build succeeded, one rename each
        (:func:`outputs.apply`); its ``pagefind/`` is left for the caller to refresh.
        A new version folder means creating every folder and link of the site again and
        removing the old ones later (at 1,000 posts ~2,100 folders and ~3,000 links, plus
        as many again for the search's copy: 0.5-1.5 s a save on this ext4 disk,
        depending on its load). Without a live version it is an ordinary build.
        """
        from blog.build import fingerprint
        from blog.paths import build_log

        began = time.perf_counter()
        digest = None
        cache = self.root / ".cache"
        pelican_cache = cache / "pelican"
        if skip_unchanged and not post_steps:
            settings = read_settings(self.settings_file, self._override(self.output))
            pelican_cache = Path(settings["CACHE_PATH"])
            digest = fingerprint.inputs_digest(settings, self.root, drafts=self.drafts,
                                               search=search)
            with outputs.locked(self.output):
                current = outputs.current_version(self.output)
                if fingerprint.unchanged(cache, self.output, current, digest, pelican_cache):
                    assert current is not None
                    # A skipped build still clears what an interrupted one left behind.
                    outputs.remove_leftovers(self.output)
                    self.say(f"Nessun file è cambiato dall’ultima build: {self.output.name}/ "
                             "è già aggiornato.")
                    return self._result(current, search, {}, began)
        fingerprint.forget(cache, self.output)
        steps = steps or Steps(total=2 + int(search))
        steps.stream = _SayStream(self.say) if steps.stream is sys.stdout else steps.stream
        timings: dict[str, float] = {}
        log_path = build_log(self.root)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with outputs.locked(self.output), log_path.open("w", encoding="utf-8") as log:
            outputs.migrate(self.output)
            outputs.remove_leftovers(self.output)
            live = (outputs.current_version(self.output)
                    if in_place and self.render_memo and not search and not post_steps
                    else None)
            # Where Pelican writes: a new version, or the staging folder of the live one.
            folder = (outputs.staging_folder(self.output, live) if live
                      else outputs.new_version(self.output))

            live_now = False  # the new pages are live: nothing may be discarded then

            def discard() -> None:
                if live_now:
                    return
                if live is not None:
                    outputs.empty_staging(folder)  # its folders serve the next update
                else:
                    shutil.rmtree(folder, ignore_errors=True)

            version = live or folder  # the site this build makes
            pages: int | None = None
            try:
                self._pelican(folder, steps, timings, log, live=live)
                if live is not None:
                    started = time.perf_counter()
                    live_now = True  # from the first file moved in
                    pages = self._move_in(folder, live)
                    timings["in_place"] = time.perf_counter() - started
                else:
                    if search:
                        pages = self._search(version, steps, timings)
                    for step in post_steps:
                        started = time.perf_counter()
                        step(version)
                        timings[getattr(step, "__name__", "step")] = (
                            time.perf_counter() - started)
                    outputs.switch(self.output, version, tidy=tidy)
                    live_now = True
                self._keep(version)
                if digest is not None:
                    fingerprint.record(cache, self.output, version, digest, pelican_cache)
            except BuildError:
                discard()
                raise
            except Exception as exc:
                discard()
                traceback.print_exc(file=log)
                ctx = Context(self.root, self.root / "content", folder)
                raise BuildError(from_exception(ctx, exc)) from None
            except BaseException:
                discard()
                raise
        return self._result(version, search, timings, began, pages)

    def _move_in(self, staging: Path, live: Path) -> int:
        """Put an in-place build's files into the live version, then its render memo;
        return how many HTML pages it has."""
        from blog.build.search import BUNDLE

        build, self._memo_build = self._memo_build, None
        kept = build.memo.reused_pages if build is not None else set()
        pages = outputs.apply(staging, live, kept, untouched=(BUNDLE,))
        if build is not None:
            build.memo.save(live)
        return pages

    def tidy(self, *, wait: bool = True) -> bool:
        """Remove the versions a build with ``tidy=False`` left and, when the site is
        kept for in-place updates, make the live version's staging folder ahead of the
        first one (:func:`outputs.staging_folder`). Waits for a running build, or
        (``wait=False``) does nothing and returns False while one runs."""
        from blog.build.search import BUNDLE

        try:
            with outputs.locked(self.output, wait=wait):
                outputs.remove_leftovers(self.output)
                live = outputs.current_version(self.output)
                if self.keep_site and live is not None:
                    outputs.prepare_staging(self.output, live, untouched=(BUNDLE,))
        except BlockingIOError:
            return False
        return True

    def _result(self, version: Path, search: bool, timings: dict[str, float],
                began: float, pages: int | None = None) -> BuildResult:
        html = pages if pages is not None else count_html_pages(version)
        rendered, reused = self.counts if timings and self.counts else (None, None)
        return BuildResult(
            settings_file=self.settings_file, output=self.output, version=version, pages=html,
            kit=kit_facts(self.output), search=search, timings=timings,
            seconds=time.perf_counter() - began, rendered=rendered, reused=reused,
        )

    def _pelican(self, version: Path, steps: Steps, timings: dict[str, float], log: Any,
                 retry: bool = True, live: Path | None = None) -> None:
        from pelican import Pelican

        settings = read_settings(self.settings_file, self._override(version))
        settings["RENDER_MEMO"] = (self._render_memo(settings, in_place=live is not None)
                                   if self.render_memo else None)
        self.counts = None
        self._memo_build = None
        _compiled_templates(settings)
        ctx = Context(self.root, Path(settings["PATH"]), version)
        with _captured(ctx, self.say, log) as capture:
            try:
                with steps.step("Kit sulla delega"):
                    started = time.perf_counter()
                    pelican = Pelican(settings)
                    pelican.render_memo_templates = self._parsed_templates
                    timings["kit"] = time.perf_counter() - started
                    self._fail_on(capture.problems)
                steps.number += 1
                steps.say(f"[{steps.number}/{steps.total}] Sito con {self.settings_file.name} "
                          "(Pelican)…")
                started = time.perf_counter()
                self._generators = []
                with self._kept_generators():
                    pelican.run()
                timings["pelican"] = time.perf_counter() - started
                memo = getattr(pelican, "render_memo", None)
                if memo is not None:
                    self.counts = (memo.memo.rendered, memo.memo.reused)
                    self._memo_build = memo
            except BuildError:
                raise
            except Exception as exc:
                traceback.print_exc(file=log)
                if retry and is_broken_cache(exc):
                    cache = Path(settings["CACHE_PATH"])
                    self.say(f"La cache di Pelican in {ctx.rel(cache)} era rovinata (una build "
                             "interrotta?): la cancello e riprovo.")
                    shutil.rmtree(cache, ignore_errors=True)
                    shutil.rmtree(version, ignore_errors=True)
                    version.mkdir()
                    steps.number = 0
                    self._pelican(version, steps, timings, log, retry=False, live=live)
                    return
                # What was logged first is the cause; a crash after it is a consequence.
                self._fail_on(capture.problems)
                raise BuildError(from_exception(ctx, exc)) from None
            self._fail_on(capture.problems)
            steps.say(f"      fatto in {seconds_it(timings['pelican'])}")

    @contextlib.contextmanager
    def _kept_generators(self) -> Iterator[None]:
        if not self.keep_site:
            yield
            return
        from pelican import signals

        def keep(generators: list[Any]) -> None:
            self._generators = list(generators)

        signals.all_generators_finalized.connect(keep)
        try:
            yield
        finally:
            signals.all_generators_finalized.disconnect(keep)

    def _keep(self, version: Path) -> None:
        if self.keep_site and self._generators:
            from blog.build.preview import LiveSite

            self.site = LiveSite(self._generators, version)
        self._generators = []

    def _output_file(self, folder: Path) -> Path:
        """This output folder's own file in ``folder`` (one per output: dev, publish…)."""
        name = hashlib.sha256(str(self.output.absolute()).encode()).hexdigest()[:16]
        return folder / f"{name}.json"

    def _memo_file(self, settings: dict[str, Any]) -> Path:
        return self._output_file(Path(settings["CACHE_PATH"]) / "render-memo")

    def _render_memo(self, settings: dict[str, Any], *, in_place: bool = False,
                     ) -> dict[str, Any]:
        """What the render_memo plugin needs to take unchanged pages from the live site."""
        from blog.build import fingerprint

        previous = outputs.current_version(self.output)
        return {
            "file": str(self._memo_file(settings)),
            "previous": str(previous) if previous else None,
            "inputs": fingerprint.inputs_digest(settings, self.root, posts=False,
                                                drafts=self.drafts),
            "in_place": in_place,
        }

    @staticmethod
    def _fail_on(problems: list[Problem]) -> None:
        if problems:
            raise BuildError(problems)

    def _search(self, version: Path, steps: Steps, timings: dict[str, float]) -> int:
        """Index ``version``; return how many HTML pages it has (the result says it too)."""
        from blog.build.search import (
            IndexFailed,
            index_site,
            load_digests,
            save_digests,
        )

        pages = count_html_pages(version)
        with steps.step(f"Indice di ricerca (Pagefind, {plural(pages, 'pagina', 'pagine')})"):
            started = time.perf_counter()
            # The pages' digests of the last build: a reused page (a hard link, the same
            # inode) is not read again to know its part is unchanged.
            digest_file = self._output_file(self.root / ".cache" / "search-digests")
            digests = load_digests(digest_file)
            try:
                # Pages byte-identical to the live version's: its index is linked, not redone.
                index_site(version, reuse=[outputs.current_version(self.output)],
                           digests=digests)
            except IndexFailed as exc:
                raise BuildError(Problem(None, None, f"Pagefind: {exc}")) from None
            save_digests(digest_file, digests)
            timings["search"] = time.perf_counter() - started
        return pages


class _SayStream:
    """Lets :class:`Steps` print through the engine's ``say``."""

    def __init__(self, say: Say) -> None:
        self._say = say
        self._buffer = ""

    def write(self, text: str) -> int:
        self._buffer += text
        while "\n" in self._buffer:
            line, self._buffer = self._buffer.split("\n", 1)
            self._say(line)
        return len(text)

    def flush(self) -> None:
        return None

    def isatty(self) -> bool:
        return False


def build(settings_file: Path, *, output: Path | None = None, drafts: bool = False,
          search: bool = True, post_steps: Sequence[PostStep] = (), say: Say | None = None,
          steps: Steps | None = None, override: dict[str, Any] | None = None) -> BuildResult:
    """Build ``settings_file`` into ``output`` (default: its ``OUTPUT_PATH``)."""
    return Engine(settings_file, output=output, drafts=drafts, say=say, override=override).build(
        search=search, post_steps=post_steps, steps=steps)


def build_kit(settings_file: Path, *, force: bool = False, say: Say | None = None) -> Any:
    """Only the kit PDF, with the kit source and cache the settings name; raise BuildError."""
    say = say or _echo
    settings = read_settings(settings_file)
    root = Path(settings["PATH"]).resolve().parent
    kit_pdf = plugin_module("kit_pdf", settings)
    source = Path(settings.get("KIT_SOURCE") or root / "kit")
    cache = Path(settings.get("KIT_CACHE") or root / ".cache" / "kit")
    source = source if source.is_absolute() else root / source
    cache = cache if cache.is_absolute() else root / cache
    extra: dict[str, Any] = {}
    if hasattr(kit_pdf, "SiteInfo"):  # the same site facts (address, e-mail) as a site build
        extra["site"] = kit_pdf.SiteInfo.from_project(root, fallback=settings)
    try:
        return kit_pdf.build_kit(source, cache, force=force, progress=lambda m: say(f"· {m}"),
                                 **extra)
    except Exception as exc:
        raise BuildError(from_exception(Context(root, root / "content"), exc)) from None


def plugin_module(name: str, settings: dict[str, Any]) -> Any:
    """A local plugin, imported the way Pelican imports it (from ``PLUGIN_PATHS``)."""
    from pelican.plugins._utils import load_legacy_plugin

    return load_legacy_plugin(name, settings.get("PLUGIN_PATHS", []))


def local_plugin(name: str, settings_file: Path | None = None) -> Any:
    """``plugin_module`` with the development settings' ``PLUGIN_PATHS`` (scripts, tests)."""
    from blog.paths import DEV_SETTINGS

    return plugin_module(name, read_settings(settings_file or DEV_SETTINGS))
