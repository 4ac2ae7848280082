"""Run by a fresh worker process before its first task, through ``runpy.run_path`` with
``PLUGIN_NAME`` and ``PLUGIN_FOLDER`` given as globals (see :mod:`.pool`).

Pelican imports this plugin from ``PLUGIN_PATHS``, not from ``sys.path``, so a fresh
interpreter cannot import it by name. This file imports it the way Pelican does (the
folder's ``PathFinder``), under the name the build gave it, so that the task, pickled
by reference (``content_images.encode.make_all``), resolves in the worker as in the
build. (The same code as ``og_image/worker_init.py``: a
plugin imports nothing from another.)
"""

import importlib.util
import sys
from importlib.machinery import PathFinder


def import_plugin(name: str, folder: str) -> None:
    """Import package ``name`` from ``folder``, unless this process already has it."""
    if name in sys.modules:
        return
    spec = PathFinder.find_spec(name, [folder])
    if spec is None or spec.loader is None:
        raise ImportError(f"no plugin {name} in {folder}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise


import_plugin(PLUGIN_NAME, PLUGIN_FOLDER)  # noqa: F821 (globals given by runpy.run_path)
