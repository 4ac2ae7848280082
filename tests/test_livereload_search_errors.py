"""livereload's search pass that fails on the machine (blog/serve/live_search.py): one
Italian line that names what failed, in the build's words (blog/build/system_errors.py),
never the raw ``OSError``; the previous index stays, livereload goes on, and the next pass
that can write brings the index up to date."""

from __future__ import annotations

import errno
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from blog.build.search import IndexFailed
from blog.serve.live_search import LiveSearch, failure_line
from blog.serve.livereload import LiveSession

PAGE = """<!doctype html><html lang="it"><head><meta charset="utf-8"><title>Prova</title>
</head><body><main data-pagefind-body><h1>Prova</h1><p>Delegare la posta del mattino
a un’assistente virtuale.</p></main></body></html>"""


def _session(root: Path, output: Path, search: object, said: list[str]) -> LiveSession:
    """A LiveSession with only what its search step uses (no server, watcher, build)."""
    session = LiveSession.__new__(LiveSession)
    session.root, session.output, session.search, session.say = root, output, search, \
        said.append
    return session


def _site(root: Path) -> Path:
    live = root / ".output.versions" / "1"
    live.mkdir(parents=True)
    (live / "index.html").write_text(PAGE, encoding="utf-8")
    (root / "output").symlink_to(live.relative_to(root))
    return root / "output"


def test_a_pass_the_disk_refuses_is_one_italian_line_and_the_next_one_works(
        tmp_path: Path) -> None:
    output = _site(tmp_path)
    blocked = tmp_path / ".cache"
    blocked.write_text("un file dove va la cartella della cache", encoding="utf-8")
    search = LiveSearch(output, blocked / "livereload")
    said: list[str] = []
    try:
        session = _session(tmp_path, output, search, said)
        session._catch_up_search()  # a real OSError, raised in the worker process
        assert said == ["Indice di ricerca non aggiornato (.cache/livereload: la cache è "
                        "danneggiata (una parte del percorso non è una cartella): esegui "
                        "invoke clean e riprova): resta quello precedente."], said
        assert not (output / "pagefind").exists()
        blocked.unlink()  # the author fixes it; the same worker serves the next pass
        session._catch_up_search()
    finally:
        search.close()
    assert said[1].startswith("Indice di ricerca aggiornato in "), said
    assert (output / "pagefind" / "pagefind.js").is_file()


@pytest.mark.parametrize(("exc", "line"), [
    (OSError(errno.ENOSPC, "No space left on device", "/x/.cache/livereload/ricerca-1/a"),
     "Indice di ricerca non aggiornato (spazio su disco esaurito: liberane e riprova; "
     "output/ è com’era (la build stava scrivendo .cache/livereload/ricerca-1/a)): resta "
     "quello precedente."),
    # A file that is not there: the folder it would be made in is named.
    (PermissionError(errno.EACCES, "Permission denied", "/x/output/pagefind"),
     "Indice di ricerca non aggiornato (output: permesso negato: la cartella non si "
     "può usare con l’utente attuale (creato con sudo o da un altro utente?): sistemane il "
     "proprietario (chown) o i permessi e riprova): resta quello precedente."),
    (BrokenProcessPool("A child process terminated abruptly"),
     "Indice di ricerca non aggiornato (il processo che aggiorna la ricerca si è fermato "
     "all’improvviso (memoria finita?): al prossimo salvataggio ne parte un altro): resta "
     "quello precedente."),
    (IndexFailed("in output non c’è nessuna pagina HTML da indicizzare"),
     "Indice di ricerca non aggiornato (in output non c’è nessuna pagina HTML da "
     "indicizzare): resta quello precedente."),
])
def test_each_failure_is_said_in_one_italian_line(exc: BaseException, line: str) -> None:
    root = Path("/x")
    assert failure_line(exc, root, root / "output") == line
    future: Future[bool] = Future()
    future.set_exception(exc)
    said: list[str] = []

    class Failing:
        def start(self) -> Future[bool]:
            return future

    _session(root, root / "output", Failing(), said)._catch_up_search()  # never raises
    assert said == [line]
    assert "Errno" not in line and "\n" not in line


def test_a_fault_of_the_code_is_not_hidden_as_a_search_failure() -> None:
    with pytest.raises(TypeError):
        failure_line(TypeError("un difetto"), Path("/x"), Path("/x/output"))
