"""Steps 2-3 of a build: the kit and Pelican write the site into one folder.

Before Pelican starts, the caches it reads are checked (:mod:`.caches`): its content
caches against the notes of the run that wrote them, the render memo for being a JSON
object; compiled templates check themselves (:mod:`.templates`). While it runs, every
warning or error becomes a problem (:mod:`.capture`), the content caches it writes are
noted, and its generators are kept (what :mod:`.verify` reads the site's promises from,
and the instant preview's site).

If Pelican still dies reading a content cache (one no note covers), the cache is removed
and Pelican runs once more, from a clean folder, after the first run's capture has
ended: the author sees each line once, and no plugin state of the dead run is left
(``fresh_sitemap`` makes its sitemap anew for every run).
"""

from __future__ import annotations

import contextlib
import shutil
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from blog.build import caches
from blog.build.capture import captured, fail_on
from blog.build.context import SETTING, BuildContext
from blog.build.errors import BuildError
from blog.build.problems import Context, from_exception, is_broken_cache
from blog.build.templates import use_compiled_templates
from blog.report import Steps

Say = Callable[[str], None]


@dataclass
class PelicanRun:
    """What one Pelican run left: the shared context, its settings and generators."""

    context: BuildContext
    settings: dict[str, Any]
    generators: list[Any] = field(default_factory=list)


class _BrokenCache(Exception):
    """Pelican died unpickling its content cache: run it again without."""

    def __init__(self, cache: Path) -> None:
        super().__init__(str(cache))
        self.cache = cache


@contextlib.contextmanager
def _generators_of_run(found: list[Any]) -> Iterator[None]:
    from pelican import signals

    def keep(generators: list[Any]) -> None:
        found[:] = list(generators)

    signals.all_generators_finalized.connect(keep)
    try:
        yield
    finally:
        signals.all_generators_finalized.disconnect(keep)


Make = Callable[[], tuple[dict[str, Any], BuildContext]]


def run(make: Make, *, root: Path, folder: Path, label: str, steps: Steps,
        timings: dict[str, float], log: Any, say: Say,
        output_name: str = "output") -> PelicanRun:
    """Run the kit and Pelican with the settings and context ``make`` gives (fresh for
    each run; ``OUTPUT_PATH`` = ``folder``); raise BuildError."""
    first_step = steps.number
    try:
        return _once(make, root=root, folder=folder, label=label, steps=steps,
                     timings=timings, log=log, say=say, output_name=output_name, retry=True)
    except _BrokenCache as broken:
        ctx = Context(root, root / "content", folder, output_name)
        say(f"La cache di Pelican in {ctx.rel(broken.cache)} era rovinata (una build "
            "interrotta?): la cancello e riprovo.")
        shutil.rmtree(broken.cache, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        steps.number = first_step
        return _once(make, root=root, folder=folder, label=label, steps=steps,
                     timings=timings, log=log, say=say, output_name=output_name, retry=False)


def _once(make: Make, *, root: Path, folder: Path, label: str, steps: Steps,
          timings: dict[str, float], log: Any, say: Say, output_name: str,
          retry: bool) -> PelicanRun:
    from pelican import Pelican

    settings, context = make()
    settings[SETTING] = context
    pelican_cache = Path(settings["CACHE_PATH"])
    caches.check_pelican_cache(root, pelican_cache, say)
    bytecode = use_compiled_templates(settings)
    record = caches.PelicanRecord(root, pelican_cache)
    ctx = Context(root, Path(settings["PATH"]), folder, output_name)
    generators: list[Any] = []
    with captured(ctx, say, log) as capture:
        try:
            # The kit plugin finds its PDF in the cache or renders it in a worker
            # while Pelican reads the posts: one step.
            with steps.step(label):
                started = time.perf_counter()
                pelican = Pelican(settings)
                fail_on(capture.problems)
                try:
                    with record.watching(), _generators_of_run(generators):
                        pelican.run()
                finally:
                    record.commit()
                    if bytecode is not None and bytecode.damaged:
                        say(f"      La cache dei modelli compilati ({ctx.rel(bytecode.directory)}) "
                            f"aveva {bytecode.damaged} file danneggiati: li ho rifatti.")
                timings["pelican"] = time.perf_counter() - started
                fail_on(capture.problems)
        except BuildError:
            raise
        except Exception as exc:
            traceback.print_exc(file=log)
            if retry and is_broken_cache(exc):
                raise _BrokenCache(pelican_cache) from None
            # What was logged first is the cause; a crash after it is a consequence.
            fail_on(capture.problems)
            raise BuildError(from_exception(ctx, exc)) from None
    return PelicanRun(context, settings, generators)
