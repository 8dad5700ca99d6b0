"""The login of a one-session command, started before the engine is imported.

``get`` resolves its target (URL, credentials, options: light modules), starts an
:class:`~client.engine.early_login.EarlyLogin` when the target allows one, and only then
imports the runner and the engine, which the thread's login overlaps
(docs/guide/performance.md, "Start-up"). The runner hands the early login to the
command's session, or closes it when the command ends before using it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from client.cli.options import Target, TargetError, build_target
from client.engine.early_login import EarlyLogin, start_early_login
from client.protocol.values import value

__all__ = ["Prepared", "prepare"]


@value
class Prepared:
    """A command's target (or why there is none) and its early login, if one started."""

    target: Target | None
    error: TargetError | None
    early_login: EarlyLogin | None


def prepare(args: argparse.Namespace, url: str,
            ready: Callable[[Target], bool]) -> Prepared:
    """Resolve the target once (a password prompt happens here, once); start the login
    when ``ready(target)`` says the command will connect (its local checks pass)."""
    try:
        target = build_target(args, url)
    except TargetError as exc:
        return Prepared(None, exc, None)
    early = start_early_login(target.settings) if ready(target) else None
    return Prepared(target, None, early)
