"""The data-channel diagnosis: probe every way of opening a data connection
(``runner``), the rows and verdict values (``model``), the rules that judge the rows
(``verdict``, ``network`` for partial ranges and FTP helpers, ``ports`` for the extra
passive-port probes). The rules take evidence, so the same ones judge a live session, a
``diagnose`` run and a packet capture."""

from client.engine.diagnose.rows import UNROUTABLE_CLASSES, probe_settings
from client.engine.diagnose.runner import run_diagnosis

__all__ = ["run_diagnosis", "UNROUTABLE_CLASSES", "probe_settings"]
