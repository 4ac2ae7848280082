"""The Pagefind reference (the hashes its API gives the search scripts), which the build
compares the published ``pagefind.js`` and worker with before switching the site."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from blog.build.search_reference import SCRIPTS, expected


def test_the_reference_is_made_inside_a_running_event_loop_too() -> None:
    # A caller may run an event loop (Playwright's sync API does): the reference must not
    # quietly go missing there, leaving the scripts checked only for being there.
    outside = expected(None, fresh=True)

    async def inside() -> dict[str, str] | None:
        return expected(None, fresh=True)

    assert outside is not None and set(outside) == set(SCRIPTS)
    # A thread of its own for the loop: this test's thread may run one already (it does
    # once a Playwright test ran in the same pytest worker).
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(lambda: asyncio.run(inside())).result() == outside
