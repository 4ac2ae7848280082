"""The build engine: every task that builds the site (build, preview, publish, regenerate,
livereload, check) runs a :class:`~blog.build.plan.Plan` through :meth:`Engine.build`.

One build, in this process, top to bottom in :meth:`Engine.build`:

1. settings: the plan's settings file (it decides everything environment-specific:
   URLs, caches, drafts, dates) with the plan's overrides; a build whose inputs did not
   change since the live version was made is skipped (:mod:`.fingerprint`);
2-3. the kit and Pelican: the kit plugin finds its PDF in the cache or renders it in a
   worker while Pelican reads the posts; Pelican writes the site into a new version
   folder beside ``output`` (or, in livereload, into the staging folder of the live
   one). Every warning or error Pelican or a plugin logs becomes a
   :class:`~blog.build.errors.Problem` (file, line, Italian reason) and fails the build
   (:mod:`.capture`);
4. search: Pagefind indexes the new version (:mod:`.search`), then the plan's own steps
   run on it;
5. switch: ``output`` points at the new version in one rename (:mod:`.outputs`); in
   livereload the staged pages are moved into the live version instead.

A failure raises :class:`~blog.build.errors.BuildError` and removes what the build
wrote: ``output`` still points at the last good site. Tracebacks go to
``.cache/ultima-build.log``, never to the author's terminal.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from blog.build import fingerprint, outputs
from blog.build.capture import captured, fail_on
from blog.build.context import SETTING, BuildContext
from blog.build.errors import BuildError, Problem
from blog.build.plan import Plan, Purpose
from blog.build.problems import Context, from_exception, is_broken_cache
from blog.build.settings import read_settings
from blog.build.templates import use_compiled_templates
from blog.paths import build_log
from blog.report import (
    KitFacts,
    Steps,
    count_html_pages,
    kit_facts,
    plural,
    site_summary,
)

Say = Callable[[str], None]


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


def _override(plan: Plan, folder: Path) -> dict[str, Any]:
    """The settings a plan puts on top of its file's, writing into ``folder``."""
    override: dict[str, Any] = {"OUTPUT_PATH": str(folder), "DELETE_OUTPUT_DIRECTORY": False}
    if plan.drafts:
        preview = read_settings(plan.settings_file).get("DRAFTS_PREVIEW") or {}
        if not preview:
            raise BuildError(Problem(plan.settings_file.name, None,
                                     "queste impostazioni non prevedono l’anteprima delle "
                                     "bozze (DRAFTS_PREVIEW è vuoto)"))
        override.update(preview)
    override.update(plan.settings)
    return override


def output_file(folder: Path, output: Path) -> Path:
    """This output folder's own file in ``folder`` (one per output: dev, publish…)."""
    name = hashlib.sha256(str(output.absolute()).encode()).hexdigest()[:16]
    return folder / f"{name}.json"


class Engine:
    """Runs build plans. A long-running process (livereload, regenerate) keeps one to
    build again: it keeps the parsed templates and, with ``keep_site``, the last good
    site in memory for the instant preview (:attr:`site`)."""

    def __init__(self, *, say: Say | None = None, keep_site: bool = False) -> None:
        self.say = say or _echo
        self.keep_site = keep_site
        self.site: Any = None
        self._templates: dict[str, Any] = {}
        self._generators: list[Any] = []

    def build(self, plan: Plan, steps: Steps | None = None) -> BuildResult:
        """Run ``plan``; raise BuildError (``output`` then unchanged)."""
        began = time.perf_counter()
        settings_file = plan.settings_file.resolve()
        root = settings_file.parent
        output = plan.output.absolute()
        cache = root / ".cache"

        # 1. Settings, and nothing to do when nothing changed.
        digest = None
        if plan.may_skip:
            settings = read_settings(settings_file, _override(plan, output))
            digest = fingerprint.inputs_digest(settings, root, drafts=plan.drafts, search=True)
            pelican_cache = Path(settings["CACHE_PATH"])
            with outputs.locked(output):
                current = outputs.current_version(output)
                if fingerprint.unchanged(cache, output, current, digest, pelican_cache):
                    assert current is not None
                    outputs.remove_leftovers(output)  # what an interrupted build left
                    self.say(f"Nessun file è cambiato dall’ultima build: {output.name}/ "
                             "è già aggiornato.")
                    return self._result(plan, current, {}, None, began)
        fingerprint.forget(cache, output)

        timings: dict[str, float] = {}
        log_path = build_log(root)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with outputs.locked(output), log_path.open("w", encoding="utf-8") as log:
            outputs.migrate(output)
            outputs.remove_leftovers(output)
            live = outputs.current_version(output) if plan.in_place else None
            steps = steps or Steps(total=1 if live else 2)  # site and kit, search
            steps.stream = _SayStream(self.say) if steps.stream is sys.stdout else steps.stream
            # Where Pelican writes: a new version, or the staging folder of the live one.
            folder = outputs.staging_folder(output, live) if live else outputs.new_version(output)
            version = live or folder  # the site this build makes
            live_now = False  # the new pages are live: nothing may be discarded then
            try:
                # 2-3. The kit, then Pelican.
                context, settings = self._pelican(plan, settings_file, output, folder, live,
                                                  steps, timings, log)
                # 4-5. Search, the plan's own steps, switch (or move the pages in).
                if live is not None:
                    started = time.perf_counter()
                    live_now = True  # from the first file moved in
                    pages = self._move_in(folder, live, context)
                    timings["in_place"] = time.perf_counter() - started
                else:
                    pages = self._search(settings, root, output, version, steps, timings)
                    for step in plan.then:
                        started = time.perf_counter()
                        step(version)
                        timings[getattr(step, "__name__", "step")] = (
                            time.perf_counter() - started)
                    outputs.switch(output, version, tidy=plan.tidy)
                    live_now = True
                self._keep(version)
                if digest is not None:
                    fingerprint.record(cache, output, version, digest, pelican_cache)
            except BaseException as exc:
                if not live_now:
                    if live is not None:
                        outputs.empty_staging(folder)  # its folders serve the next update
                    else:
                        shutil.rmtree(folder, ignore_errors=True)
                if isinstance(exc, BuildError) or not isinstance(exc, Exception):
                    raise
                traceback.print_exc(file=log)
                ctx = Context(root, root / "content", folder)
                raise BuildError(from_exception(ctx, exc)) from None
        return self._result(plan, version, timings, context, began, pages)

    def _pelican(self, plan: Plan, settings_file: Path, output: Path, folder: Path,
                 live: Path | None, steps: Steps, timings: dict[str, float], log: Any,
                 retry: bool = True) -> tuple[BuildContext, dict[str, Any]]:
        """The kit and Pelican into ``folder``; the build's context and settings."""
        from pelican import Pelican
        from pelican_adapter import forget_rendered_contents

        forget_rendered_contents()  # the last build's posts, else kept for the process's life
        settings = read_settings(settings_file, _override(plan, folder))
        context = BuildContext(
            self._render_memo(plan, settings, settings_file.parent, output, live)
            if plan.reuses_pages else None,
            self._templates)
        settings[SETTING] = context
        use_compiled_templates(settings)
        ctx = Context(settings_file.parent, Path(settings["PATH"]), folder)
        first_step = steps.number
        with captured(ctx, self.say, log) as capture:
            try:
                # The kit plugin finds its PDF in the cache or renders it in a worker
                # while Pelican reads the posts: one step.
                with steps.step(f"Sito e kit con {settings_file.name} (Pelican)"):
                    started = time.perf_counter()
                    pelican = Pelican(settings)
                    fail_on(capture.problems)
                    self._generators = []
                    with self._kept_generators():
                        pelican.run()
                    timings["pelican"] = time.perf_counter() - started
                    fail_on(capture.problems)
            except BuildError:
                raise
            except Exception as exc:
                traceback.print_exc(file=log)
                if retry and is_broken_cache(exc):
                    cache = Path(settings["CACHE_PATH"])
                    self.say(f"La cache di Pelican in {ctx.rel(cache)} era rovinata (una build "
                             "interrotta?): la cancello e riprovo.")
                    shutil.rmtree(cache, ignore_errors=True)
                    shutil.rmtree(folder, ignore_errors=True)
                    folder.mkdir()
                    steps.number = first_step
                    return self._pelican(plan, settings_file, output, folder, live, steps,
                                         timings, log, retry=False)
                # What was logged first is the cause; a crash after it is a consequence.
                fail_on(capture.problems)
                raise BuildError(from_exception(ctx, exc)) from None
        return context, settings

    @staticmethod
    def _render_memo(plan: Plan, settings: dict[str, Any], root: Path, output: Path,
                     live: Path | None) -> dict[str, Any]:
        """What the render_memo plugin needs to take unchanged pages from the live site."""
        previous = outputs.current_version(output)
        return {
            "file": str(output_file(Path(settings["CACHE_PATH"]) / "render-memo", output)),
            "previous": str(previous) if previous else None,
            "inputs": fingerprint.inputs_digest(settings, root, posts=False,
                                                drafts=plan.drafts),
            "in_place": live is not None,
        }

    @staticmethod
    def _move_in(staging: Path, live: Path, context: BuildContext) -> int:
        """Put an in-place build's files into the live version, then save its render
        memo; return how many HTML pages it has."""
        from blog.build.search import BUNDLE

        pages = outputs.apply(staging, live, context.reused_pages, untouched=(BUNDLE,))
        if context.save_memo is not None:
            context.save_memo(live)
        return pages

    def _search(self, settings: dict[str, Any], root: Path, output: Path, version: Path,
                steps: Steps, timings: dict[str, float]) -> int:
        """Index ``version``; return how many HTML pages it has (the result says it too)."""
        from blog.build import search

        pages = count_html_pages(version)
        with steps.step(f"Indice di ricerca (Pagefind, {plural(pages, 'pagina', 'pagine')})"):
            started = time.perf_counter()
            try:
                # Pages byte-identical to the live version's: its index is linked, not redone.
                search.index_site(version, reuse=[outputs.current_version(output)],
                                  shard_pages=search.shard_pages_for(settings))
            except search.IndexFailed as exc:
                raise BuildError(Problem(None, None, f"Pagefind: {exc}")) from None
            timings["search"] = time.perf_counter() - started
        return pages

    def tidy(self, output: Path, *, wait: bool = True) -> bool:
        """Remove the versions a livereload build left and, when the site is kept for
        in-place updates, make the live version's staging folder ahead of the next one
        (:func:`outputs.staging_folder`). Waits for a running build, or (``wait=False``)
        does nothing and returns False while one runs."""
        from blog.build.search import BUNDLE

        output = output.absolute()
        try:
            with outputs.locked(output, wait=wait):
                outputs.remove_leftovers(output)
                live = outputs.current_version(output)
                if self.keep_site and live is not None:
                    outputs.prepare_staging(output, live, untouched=(BUNDLE,))
        except BlockingIOError:
            return False
        return True

    def _result(self, plan: Plan, version: Path, timings: dict[str, float],
                context: BuildContext | None, began: float,
                pages: int | None = None) -> BuildResult:
        output = plan.output.absolute()
        return BuildResult(
            settings_file=plan.settings_file.resolve(), output=output, version=version,
            pages=pages if pages is not None else count_html_pages(version),
            kit=kit_facts(output), search=plan.purpose is not Purpose.LIVERELOAD,
            timings=timings, seconds=time.perf_counter() - began,
            rendered=context.rendered if context else None,
            reused=context.reused if context else None,
        )

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


def build(plan: Plan, *, say: Say | None = None, steps: Steps | None = None) -> BuildResult:
    """Run one plan with a fresh engine."""
    return Engine(say=say).build(plan, steps=steps)
