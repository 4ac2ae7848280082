"""One build of one settings file into ``output/``.

Owns: the build plan and its steps (:mod:`.engine`), reading settings and loading local
plugins (:mod:`.settings`), capturing what Pelican logs as problems (:mod:`.capture`,
:mod:`.problems`, :mod:`.errors`), the versioned output folder (:mod:`.outputs`), the
skip-when-nothing-changed digest (:mod:`.fingerprint`), the Pagefind index
(:mod:`.search`), the compiled-template cache (:mod:`.templates`) and the instant preview
(:mod:`.preview`). Imports nothing from ``serve``, ``publish``, ``checks`` or ``comments``.
"""
