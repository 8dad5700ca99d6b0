"""The cyclic garbage collector around a large listing's parse: paused while it runs,
switched back on afterwards, the listing's entries moved straight to the oldest
generation — and the rest of the program's collector state left as it was."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator

import pytest

from client.protocol.errors import ListingParseError
from client.protocol.listing import ListingParser, parse_listing

LINE = ("type=file;size={n};modify=20240102030405;perm=adfrw;unix.mode=0644;"
        "unix.owner=bob;unix.group=staff; entry {n}\r\n")
UNIX = "-rw-r--r--    1 bob      staff        {n:>8} Jan  2  2024 entry {n}\r\n"


def mlsd(count: int) -> bytes:
    return "".join(LINE.format(n=n) for n in range(count)).encode()


def unix(count: int) -> bytes:
    return "".join(UNIX.format(n=n) for n in range(count)).encode()


@pytest.fixture
def collector_on() -> Iterator[None]:
    """Automatic collection on and nothing frozen (as in a command-line process; a
    window test run before in the same process may have frozen objects)."""
    was_enabled = gc.isenabled()
    # once a window test made the QApplication, pytest-qt processes Qt events before
    # the test's body, and the window's collector timer would switch collection off
    window_gc = sys.modules.get("client.ui.main_thread_gc")
    timer = getattr(window_gc, "_timer", None)
    paused = timer is not None and timer.isActive()
    if paused:
        timer.stop()
    gc.enable()
    if gc.get_freeze_count():
        gc.unfreeze()
    try:
        yield
    finally:
        if not was_enabled:
            gc.disable()
        if paused:
            timer.start()


def young_ids() -> set[int]:
    return {id(obj) for generation in (0, 1) for obj in gc.get_objects(generation)}


@pytest.mark.parametrize("listing", [mlsd, unix])
@pytest.mark.usefixtures("collector_on")
def test_a_large_listings_entries_skip_the_young_generations(listing) -> None:  # noqa: ANN001
    result = parse_listing(listing(5000), fmt="mlsd" if listing is mlsd else "auto")
    assert len(result.entries) == 5000 and gc.isenabled()
    young = young_ids()
    assert not any(id(entry) in young for entry in result.entries)
    oldest = {id(obj) for obj in gc.get_objects(2)}
    assert all(id(entry) in oldest for entry in result.entries[::500])


@pytest.mark.usefixtures("collector_on")
def test_a_cycle_that_was_young_is_still_freed_by_a_full_collection() -> None:
    cycle: list[object] = []
    cycle.append(cycle)
    ident = id(cycle)
    del cycle
    parse_listing(mlsd(5000), fmt="mlsd")
    gc.collect()
    assert ident not in {id(obj) for obj in gc.get_objects()}


def other_shapes(count: int) -> None:
    """Listings of ``count`` other fact orders: the parser's shape caches (and re's) fill
    with them, as after the listing tests a worker may have run before."""
    for n in range(count):
        parse_listing("".join(f"type=file;size={i};x{n}=v; f{i}\r\n" for i in range(3)).encode(),
                      fmt="mlsd")


@pytest.mark.usefixtures("collector_on")
def test_objects_the_program_froze_stay_frozen() -> None:
    # The parser's caches are warm for this shape before the freeze: a miss would evict
    # the oldest cached matcher, a frozen object, and the count would drop by that
    # (it did after other tests in the same worker had filled the caches).
    other_shapes(200)
    parse_listing(mlsd(10), fmt="mlsd")
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        result = parse_listing(mlsd(5000), fmt="mlsd")
        assert gc.get_freeze_count() == frozen and gc.isenabled()
        young = young_ids()
        assert any(id(entry) in young for entry in result.entries)  # left where they were
    finally:
        gc.unfreeze()


def test_a_collector_that_was_off_stays_off_and_nothing_moves() -> None:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        result = parse_listing(mlsd(5000), fmt="mlsd")
        assert not gc.isenabled()
        young = young_ids()
        assert any(id(entry) in young for entry in result.entries)
    finally:
        if was_enabled:
            gc.enable()


@pytest.mark.usefixtures("collector_on")
def test_the_collector_is_back_on_after_a_failed_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    from client.protocol.listing import mlsd_fast

    def fails(*args: object) -> bool:
        raise ListingParseError("broken")

    monkeypatch.setattr(mlsd_fast, "_take_piece", fails)
    freeze_count = gc.get_freeze_count()
    parser = ListingParser(fmt="mlsd")
    with pytest.raises(ListingParseError):
        parser.feed(mlsd(5000))
    assert gc.isenabled() and gc.get_freeze_count() == freeze_count
