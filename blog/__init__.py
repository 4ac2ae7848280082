"""The machinery behind ``tasks.py``: the author's blog and kit, built, served, checked,
published and moved in from WordPress.

One package per job, imports one way (a package uses only those above it):

- ``paths``, ``headers``, ``report``: where things live, the site's HTTP headers (one
  source for nginx, the local server and GitHub Pages), how the tasks talk Italian;
- ``build``: one build of one settings file into ``output/`` (kit → Pelican → search →
  verify → switch), the instant preview, the build's errors in Italian;
- ``serve``: the one local web app (site, headers, ``/isso/`` proxy, livereload), the
  watcher and the livereload loop;
- ``checks``: links, drafts, CSP, HTML, accessibility, page weight over a built site;
- ``publish``: production build, checks, precompression, deploy (rsync or gh-pages),
  rollback;
- ``comments``: Isso, the comment server, run from the repository's configuration;
- ``wordpress``: ``invoke import-wordpress``;
- ``newpost``: ``invoke new``.

No local Pelican plugin (``plugins/``) imports this package.
"""
