"""The build engine: every task that builds the site (build, preview, publish, regenerate,
livereload, check) runs a :class:`~blog.build.plan.Plan` through :meth:`Engine.build`.

One build, in this process, top to bottom in :meth:`Engine.build`, holding the project's
caches against ``invoke clean`` and the output against another build (:mod:`.locks`;
a build that has to wait says so):

1. settings: the plan's settings file (it decides everything environment-specific:
   URLs, caches, drafts, dates) with the plan's overrides; every cache folder is checked
   for being one (:mod:`.caches`); a build whose inputs did not change since the live
   version was made, and whose live files are as that build left them, is skipped
   (:mod:`.fingerprint`);
2-3. the kit and Pelican (:mod:`.pelican_run`): Pelican's content caches are checked
   against the notes of the run that wrote them; the kit plugin finds its PDF in the
   cache or renders it in a worker while Pelican reads the posts; Pelican writes the
   site into a new version folder beside ``output`` (or, in livereload, into the
   staging folder of the live one). Every warning or error Pelican or a plugin logs
   becomes a :class:`~blog.build.errors.Problem` (file, line, Italian reason) and fails
   the build (:mod:`.capture`);
4. check: every file the settings promise is there and whole (:mod:`.verify`);
5. search: Pagefind indexes the new version and the index is read back
   (:mod:`.search`, :mod:`.search_check`), then the plan's own steps run on it;
6. switch: ``output`` points at the new version in one rename (:mod:`.outputs`); in
   livereload the staged pages are moved into the live version instead.

A failure raises :class:`~blog.build.errors.BuildError` and removes what the build
wrote: ``output`` still points at the last good site. What the machine did (a full
disk, a permission refused) is said as such (:mod:`.system_errors`). Tracebacks go to
``.cache/ultima-build.log``, never to the author's terminal.
"""
from __future__ import annotations

import contextlib
import hashlib
import shutil
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from blog.build import caches, fingerprint, locks, outputs, pelican_run, verify
from blog.build.context import BuildContext
from blog.build.errors import BuildError, Problem
from blog.build.plan import Plan, Purpose
from blog.build.problems import Context, from_exception
from blog.build.settings import read_settings
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

    def build(self, plan: Plan, steps: Steps | None = None) -> BuildResult:
        """Run ``plan``; raise BuildError (``output`` then unchanged)."""
        root = plan.settings_file.resolve().parent
        output = plan.output.absolute()
        try:
            with locks.caches_in_use(root, self.say):
                return self._build(plan, steps, time.perf_counter())
        except BuildError:
            raise
        except Exception as exc:  # the setup steps: settings, locks, caches, the log
            _log_traceback(build_log(root))
            ctx = Context(root, root / "content", None, output.name)
            raise BuildError(from_exception(ctx, exc)) from None

    def _build(self, plan: Plan, steps: Steps | None, began: float) -> BuildResult:
        settings_file = plan.settings_file.resolve()
        root = settings_file.parent
        output = plan.output.absolute()
        cache = root / ".cache"
        log_path = build_log(root)

        # 1. Settings, the caches' shape, and nothing to do when nothing changed.
        settings = read_settings(settings_file, _override(plan, output))
        caches.check_shapes(root, settings, log_path, self.say)
        stamp = fingerprint.load(cache, output, self.say, root)
        pelican_cache = Path(settings["CACHE_PATH"])
        digest = None
        if plan.may_skip:
            digest = fingerprint.inputs_digest(settings, root, drafts=plan.drafts, search=True)
            with outputs.locked(output, say=self.say):
                current = outputs.current_version(output)
                if fingerprint.unchanged(stamp, current, digest, pelican_cache) \
                        and not fingerprint.scheduled_post_due(pelican_cache):
                    assert current is not None
                    outputs.remove_leftovers(output)  # what an interrupted build left
                    self.say(f"Nessun file è cambiato dall’ultima build: {output.name}/ "
                             "è già aggiornato.")
                    return self._result(plan, current, {}, None, began)
        fingerprint.forget(cache, output)

        timings: dict[str, float] = {}
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with outputs.locked(output, say=self.say), log_path.open("w", encoding="utf-8") as log:
            outputs.migrate(output)
            gone = outputs.named_version(output) if outputs.current_version(output) is None \
                else None
            if gone is not None:
                self.say(f"La versione in linea di {output.name}/ ({gone}) non c’è più: "
                         "rifaccio il sito (la precedente resta).")
            outputs.remove_leftovers(output)
            live = outputs.current_version(output) if plan.in_place else None
            # Files of the live version as its build left them (read back whole then).
            trusted = fingerprint.files_as_built(stamp, outputs.current_version(output))
            steps = steps or Steps(total=1 if live else 2)  # site and kit, search
            steps.stream = _SayStream(self.say) if steps.stream is sys.stdout else steps.stream
            # Where Pelican writes: a new version, or the staging folder of the live one.
            folder = outputs.staging_folder(output, live) if live else outputs.new_version(output)
            version = live or folder  # the site this build makes
            live_now = False  # the new pages are live: nothing may be discarded then
            try:
                # 2-3. The kit, then Pelican.
                made = self._pelican(plan, settings_file, output, folder, live, steps,
                                     timings, log)
                context, settings = made.context, made.settings
                # 4-5. Check, search, the plan's own steps, switch (or move the pages in).
                if live is not None:
                    started = time.perf_counter()
                    kept = context.reused_pages | context.kept_files
                    self._verify(settings, made, verify.in_place(folder, live, kept), output,
                                 timings)
                    live_now = True  # from the first file moved in
                    pages = self._move_in(folder, live, context)
                    timings["in_place"] = time.perf_counter() - started
                else:
                    self._verify(settings, made, verify.in_folder(version), output, timings)
                    pages = self._search(settings, root, output, version, steps, timings,
                                         trusted)
                    for step in plan.then:
                        started = time.perf_counter()
                        step(version)
                        timings[getattr(step, "__name__", "step")] = (
                            time.perf_counter() - started)
                    outputs.switch(output, version, tidy=False)
                    live_now = True
            except BaseException as exc:
                if not live_now:
                    if live is not None:
                        outputs.empty_staging(folder)  # its folders serve the next update
                    else:
                        shutil.rmtree(folder, ignore_errors=True)
                if isinstance(exc, BuildError) or not isinstance(exc, Exception):
                    raise
                traceback.print_exc(file=log)
                ctx = Context(root, root / "content", folder, output.name)
                raise BuildError(from_exception(ctx, exc)) from None
            # The new site is live: what follows only tidies and takes notes, and a
            # failure there (a full disk) is said, never reported as a failed build.
            self._keep(version, made.generators)
            try:
                if plan.tidy and live is None:
                    outputs.remove_leftovers(output)
                if digest is not None:
                    fingerprint.record(cache, output, version, digest, pelican_cache)
            except OSError as exc:
                traceback.print_exc(file=log)
                why = from_exception(Context(root, root / "content", None, output.name), exc)
                self.say(f"Il sito è in linea, ma non ho potuto riordinare le versioni o "
                         f"annotare la build ({why.reason}): la prossima build rifà tutto.")
        return self._result(plan, version, timings, context, began, pages)

    def _pelican(self, plan: Plan, settings_file: Path, output: Path, folder: Path,
                 live: Path | None, steps: Steps, timings: dict[str, float],
                 log: Any) -> pelican_run.PelicanRun:
        """The kit and Pelican into ``folder``."""
        root = settings_file.parent

        def make() -> tuple[dict[str, Any], BuildContext]:
            settings = read_settings(settings_file, _override(plan, folder))
            memo = None
            if plan.reuses_pages:
                memo = self._render_memo(plan, settings, root, output, live)
                caches.check_json_object(Path(memo["file"]), root, self.say)
            context = BuildContext(memo, self._templates)
            context.live = live or outputs.current_version(output)
            context.in_place = live is not None
            return settings, context

        return pelican_run.run(make, root=root, folder=folder,
                               label=f"Sito e kit con {settings_file.name} (Pelican)",
                               steps=steps, timings=timings, log=log, say=self.say,
                               output_name=output.name)

    @staticmethod
    def _verify(settings: dict[str, Any], made: pelican_run.PelicanRun, locate: verify.Locate,
                output: Path, timings: dict[str, float]) -> None:
        """Every file the settings promise is there and whole, or BuildError."""
        started = time.perf_counter()
        problems = verify.check(verify.promises(settings, made.generators), locate,
                                output.name)
        timings["verify"] = time.perf_counter() - started
        if problems:
            raise BuildError(problems)

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

        pages = outputs.apply(staging, live, context.reused_pages | context.kept_files,
                              untouched=(BUNDLE,))
        if context.save_memo is not None:
            context.save_memo(live)
        return pages

    def _search(self, settings: dict[str, Any], root: Path, output: Path, version: Path,
                steps: Steps, timings: dict[str, float], trusted: dict[str, Any]) -> int:
        """Index ``version``; return how many HTML pages it has (the result says it too)."""
        from blog.build import search

        pages = count_html_pages(version)
        with steps.step(f"Indice di ricerca (Pagefind, {plural(pages, 'pagina', 'pagine')})"):
            started = time.perf_counter()
            try:
                # Pages byte-identical to the live version's: its index is linked, not redone.
                search.index_site(version, reuse=[outputs.current_version(output)],
                                  shard_pages=search.shard_pages_for(settings),
                                  reference=root / ".cache" / "pagefind", trusted=trusted,
                                  say=self.say)
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

    def _keep(self, version: Path, generators: list[Any]) -> None:
        if self.keep_site and generators:
            from blog.build.preview import LiveSite

            self.site = LiveSite(generators, version)


def _log_traceback(path: Path) -> None:
    """Add the current exception's traceback to the build log, if it can be written."""
    with contextlib.suppress(OSError), path.open("a", encoding="utf-8") as log:
        traceback.print_exc(file=log)


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
