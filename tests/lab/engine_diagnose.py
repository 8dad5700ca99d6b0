"""Run the engine's diagnosis (not the CLI) inside the lab's client namespace and print
it as JSON: ``python3 engine_diagnose.py HOST PORT USER DATA_TIMEOUT [PROXY_URL]``, the
password in FTP_PASSWORD. The lab tests start it with :meth:`Lab.run_python`."""

from __future__ import annotations

import asyncio
import json
import os
import sys

from client.engine.diagnose import run_diagnosis
from client.engine.proxy import parse_proxy_url
from client.engine.settings import ConnectionSettings, TlsMode


def main(argv: list[str]) -> int:
    host, port, user, data_timeout = argv[:4]
    proxy = parse_proxy_url(argv[4]) if len(argv) > 4 else None
    settings = ConnectionSettings(host=host, port=int(port), user=user,
                                  password=os.environ["FTP_PASSWORD"], tls=TlsMode.OFF,
                                  connect_timeout=10, control_timeout=10,
                                  data_timeout=float(data_timeout), proxy=proxy)
    diagnosis = asyncio.run(run_diagnosis(settings, extra_ports=0))
    json.dump(diagnosis.to_json(), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
