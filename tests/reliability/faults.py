"""The fault catalogue shared by the reliability tests: one data plan per way a link or
a server can die in the middle of a download, all cutting at the same offset."""

from __future__ import annotations

import random

from fixtures.scripted_data import DataPlan
from fixtures.scripted_faults import (
    close_before_226,
    control_closed_mid_transfer,
    reset_after,
    stall_after,
    stop_answering_mid_transfer,
    unsolicited_421_mid_transfer,
)

PAYLOAD = random.Random(9).randbytes(256 * 1024)
CUT = 100_000
OLD_TARGET = b"the user's previous version of the file, which must survive\n"

# Seconds: short, since each timeout class is what is under test here.
FAST = dict(data_timeout=1.0, control_timeout=1.0, connect_timeout=2.0)
# A failure must be reported within the configured timeouts; this bound (several
# timeouts plus slack for a loaded CI machine) only catches a hang.
BOUND = 30.0


def size_reply() -> bytes:
    return f"213 {len(PAYLOAD)}\r\n".encode()


MID_TRANSFER_FAULTS: dict[str, DataPlan] = {
    "data-reset": reset_after(PAYLOAD, CUT),
    "data-reset-then-426": reset_after(PAYLOAD, CUT,
                                       final=b"426 Connection closed; transfer aborted.\r\n"),
    "data-closed-early-then-226": DataPlan(payload=PAYLOAD, send_bytes=CUT),
    "data-closed-no-226": close_before_226(PAYLOAD, CUT),
    "all-bytes-but-no-226": close_before_226(PAYLOAD),
    "data-stalls": stall_after(PAYLOAD, CUT),
    "control-closed": control_closed_mid_transfer(PAYLOAD, CUT),
    "control-reset": DataPlan(payload=PAYLOAD, send_bytes=CUT, ending="stall",
                              control_after="reset"),
    "421-mid-transfer": unsolicited_421_mid_transfer(PAYLOAD, CUT),
    "server-stops-answering": stop_answering_mid_transfer(PAYLOAD, CUT),
}
