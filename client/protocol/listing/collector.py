"""Python's cyclic garbage collector around the parse of a large listing.

A listing of 100,000 entries allocates 100,000 tracked objects that live as long as
the listing and can never be cyclic garbage (an entry holds strings, an enum member
and a dict of strings). Left alone, the collector would walk them again and again
while they are made (a young-generation pass every 700 allocations, a middle one
every ten of those), and once more in the first young pass after the parse: with the
collector paused during the parse, that one pass over every entry still cost about
0.15 µs per entry, a sixth of an MLSD parse. So when the parse paused the collector,
what it made is moved straight to the oldest generation (``gc.freeze()`` then
``gc.unfreeze()``: two list splices, whatever the listing's size), where only a full
collection looks at it, as it eventually would have anyway.

The objects of the rest of the program that were young at that moment move with
them; a reference cycle among those is freed by the next full collection rather than
the next young one — a few thousand objects at most, once per large listing. Objects
another part of the program froze itself (the window keeps its long-lived objects
frozen) must stay frozen, so nothing is moved while any are, and nothing is done when
the collector was off already (the window collects on its own thread and timer).
"""

from __future__ import annotations

import gc

__all__ = ["pause_collector", "resume_collector"]


def pause_collector() -> bool:
    """Switch automatic collection off for a large parse; True if it was on (then
    :func:`resume_collector` must be called, in a ``finally``)."""
    if not gc.isenabled():
        return False
    gc.disable()
    return True


def resume_collector(parsed: bool) -> None:
    """Switch automatic collection back on; ``parsed``: the parse finished (not an
    exception), so what it made is moved to the oldest generation first."""
    if parsed and not gc.get_freeze_count():
        gc.freeze()
        gc.unfreeze()
    gc.enable()
