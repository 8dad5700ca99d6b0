"""Answering "the target exists" for the queue's workers.

Several workers may find existing targets at once; the user must see one question at
a time, and an "apply to all" answer must reach the questions still waiting, so they
are not asked at all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from client.engine.exists import ExistsDecision, ExistsInfo, ExistsPolicy, resolve
from client.engine.queue.jobs import TransferJob

__all__ = ["AskExists", "ExistsArbiter"]

AskExists = Callable[[TransferJob, ExistsInfo], Awaitable[ExistsDecision]]


class ExistsArbiter:
    def __init__(self, policy: ExistsPolicy, ask: AskExists | None) -> None:
        self.policy = policy
        self.ask = ask
        self._lock = asyncio.Lock()

    async def decide(self, job: TransferJob, info: ExistsInfo) -> tuple[ExistsPolicy, ExistsPolicy]:
        """(the policy applied, the action: OVERWRITE, RESUME, SKIP or RENAME). With ASK
        and nobody to ask the answer is SKIP: a file is never overwritten untold."""
        policy = self.policy
        if policy is ExistsPolicy.ASK:
            async with self._lock:
                policy = self.policy  # an "apply to all" may have come in meanwhile
                if policy is ExistsPolicy.ASK:
                    if self.ask is None:
                        return ExistsPolicy.SKIP, ExistsPolicy.SKIP
                    decision = await self.ask(job, info)
                    policy = decision.policy
                    if decision.apply_to_all:
                        self.policy = policy
        return policy, resolve(policy, info)
