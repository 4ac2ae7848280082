"""``invoke publish`` and ``invoke rollback``: production build (every page rendered),
checks, precompression, atomic deploy to rsync or gh-pages, releases.

Owns: the pipeline (:mod:`.pipeline`), deploying (:mod:`.deploy`: which target and its
address in :mod:`.target`, rsync releases in :mod:`.releases`, the gh-pages branch in
:mod:`.gh_pages`, :class:`~.errors.DeployError`), the ``.gz``/``.br`` twins
(:mod:`.precompress`) and the committed-sources rule (:mod:`.worktree`). Uses ``build``
and ``checks``.
"""
