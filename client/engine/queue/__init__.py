"""The transfer queue: jobs, their states and the connections that run them.

``TransferQueue`` lives in :mod:`.core`; the job values in :mod:`.jobs`; the exists
policy in :mod:`client.engine.exists`; local-path safety in
:mod:`client.engine.localpaths`; tree walks in :mod:`client.engine.tree`.
"""

from client.engine.exists import ExistsDecision, ExistsInfo, ExistsPolicy
from client.engine.queue.core import MAX_CONCURRENCY, MIN_CONCURRENCY, TransferQueue
from client.engine.queue.jobs import JobState, TransferJob

__all__ = [
    "TransferQueue",
    "TransferJob",
    "JobState",
    "ExistsPolicy",
    "ExistsInfo",
    "ExistsDecision",
    "MIN_CONCURRENCY",
    "MAX_CONCURRENCY",
]
