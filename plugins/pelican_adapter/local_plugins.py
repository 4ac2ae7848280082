"""A local plugin imported the way Pelican imports it, in this process or in worker processes.

Pelican imports a plugin of ``PLUGIN_PATHS`` with the folder's ``PathFinder``, under its
own name in ``sys.modules``, and never imports it twice (``load_legacy_plugin``):
:func:`import_plugin` does the same, so that ``blog`` and a plugin's worker processes
get the very module object Pelican uses.

:func:`worker_pool` gives a plugin fresh worker processes that can run its functions:
forked from multiprocessing's fork server (a small process with no threads), never from
the build itself, which may run inside livereload, whose server, watcher and search
threads a fork would copy mid-step (a lock one of them holds stays held in the child for
ever). Such a worker does not know the plugin (it is not on ``sys.path``): before its
first task it runs this file by path, which imports the plugin under the name the build
gave it, so that a task and its data, pickled by reference (``og_image.drawing.draw_batch``),
resolve in the worker as in the build. By path, not by name: importing ``pelican_adapter``
imports Pelican (~0.2 s of CPU in each worker). For the same reason this file imports
nothing but the standard library, and a plugin imports it where it starts a pool, not at
the top of a module its workers import.
"""

from __future__ import annotations

import importlib.util
import multiprocessing
import os
import runpy
import sys
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from importlib.machinery import PathFinder
from types import ModuleType

# Measured on a 2-core machine, a 3-page kit through KitGenerator, fresh process each:
# ready after 1.04 s forked, 1.11 s from the fork server, 1.24 s spawned. The fork server
# (started once per process, shared with every other pool: 45-85 ms of the building
# thread) forks workers that need not start an interpreter nor import ``__main__`` again.
START_METHOD = "forkserver"
# The name this file runs under in a new worker (``runpy.run_path``).
WORKER_RUN_NAME = "pelican_adapter_worker_init"


def import_plugin(name: str, folders: Iterable[str]) -> ModuleType:
    """The plugin ``name`` from ``folders``, as the module object Pelican uses (one entry
    in ``sys.modules`` by name: imported now unless this process already has it)."""
    if name in sys.modules:
        return sys.modules[name]
    folders = [str(folder) for folder in folders]
    spec = PathFinder.find_spec(name, folders)
    if spec is None or spec.loader is None:
        raise ImportError(f"plugin {name!r} not found in {folders}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def worker_pool(package: str, workers: int = 1) -> ProcessPoolExecutor:
    """``workers`` fresh processes that can run the functions of ``package``, a plugin
    this process has imported (a plugin passes its ``__package__``)."""
    folder = os.path.dirname(os.path.dirname(os.path.realpath(sys.modules[package].__file__)))
    return ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context(START_METHOD),
        initializer=runpy.run_path,
        initargs=(os.path.realpath(__file__), {"PLUGIN_NAME": package, "PLUGIN_FOLDER": folder},
                  WORKER_RUN_NAME),
    )


if __name__ == WORKER_RUN_NAME:  # run by path in a new worker (worker_pool)
    import_plugin(PLUGIN_NAME, [PLUGIN_FOLDER])  # noqa: F821 (globals given by runpy.run_path)
