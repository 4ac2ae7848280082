"""``invoke publish`` and ``invoke rollback``: production build (every page rendered),
checks, precompression, atomic deploy to rsync or gh-pages, releases.

Owns: the pipeline (:mod:`.pipeline`), the deploy targets and releases (:mod:`.deploy`),
the ``.gz``/``.br`` twins (:mod:`.precompress`) and the committed-sources rule
(:mod:`.worktree`). Uses ``build`` and ``checks``.
"""
