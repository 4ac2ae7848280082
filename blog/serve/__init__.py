"""The local web app and what runs around it: ``invoke serve``, ``reserve``, ``comments``
and ``livereload``.

Owns: the werkzeug app that mirrors the production nginx (:mod:`.app`), its livereload
endpoint (:mod:`.live`, ``livereload.js``), the watcher (:mod:`.watch`), the livereload loop
(:mod:`.livereload`) and its search worker (:mod:`.live_search`), and stopping on Ctrl+C,
SIGTERM or SIGHUP (:mod:`.signals`). Uses ``build``; never ``publish``.
"""
