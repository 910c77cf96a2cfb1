"""Keeping Python's garbage collector off the window's big lists while they grow or are used.

A full collection walks every tracked container and every item in it, holding the GIL: with a
million listed files the model's lists and sets alone make that 50-90 ms, and while a folder is
listed or a job runs, their allocations set one off every few hundred milliseconds, on whichever
thread allocated (the scan's), freezing the window each time. :func:`park` moves every object
that exists now into the collector's permanent generation (``gc.freeze``), where collections do
not look; :func:`release` gives them back once nothing that needs it is running. Scans and jobs
may overlap: each holds it off until its own release. GUI thread only.
"""

from __future__ import annotations

import gc

_owners: set[int] = set()  # id() of each scan controller or job runner holding it off


def park(owner: object) -> None:
    """``owner`` starts something that allocates a lot: freeze what exists now (again, if
    parked already)."""
    _owners.add(id(owner))
    gc.freeze()


def release(owner: object) -> None:
    """``owner``'s work ended (saying so twice is harmless): when no one else holds the
    collector off, let it see everything again."""
    _owners.discard(id(owner))
    if not _owners:
        gc.unfreeze()


def parked() -> bool:
    """Whether a scan or a job is holding the collector off (for tests)."""
    return bool(_owners)
