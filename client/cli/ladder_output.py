"""``--ladder`` for every command: the ASCII ladder of what was recorded, printed after
the command's own output (or its failure), on the stream that does not carry data."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from client.cli.runner import CommandContext

__all__ = ["laddered", "print_ladder"]


def print_ladder(context: CommandContext) -> None:
    """The ASCII ladder of everything recorded, after the result: on stdout, or on
    stderr when stdout carries a JSON document or a file's bytes (--json, -o -, cat)."""
    import shutil

    from client.engine.ladder_ascii import render_events

    args = context.args
    on_stderr = getattr(args, "json", False) or getattr(args, "output", None) == "-" \
        or context.command == "cat"
    stream = context.stderr if on_stderr else context.stdout
    width = max(60, min(120, shutil.get_terminal_size((100, 24)).columns))
    if not on_stderr:
        stream.write("\n")
    stream.write(render_events(context.events, width=width))
    stream.flush()


def laddered(body: Callable[[CommandContext], Awaitable[int]],
             ) -> Callable[[CommandContext], Awaitable[int]]:
    """``body`` followed by the ladder (``--ladder``), also after a failure."""
    async def run(context: CommandContext) -> int:
        try:
            return await body(context)
        finally:
            print_ladder(context)
    return run
