"""The embedded demo server: every data-connection failure mode, on loopback only.

``DemoServer(scenario)`` serves a generated sample tree on 127.0.0.1 (pyftpdlib in a
background thread); ``SCENARIOS`` maps each scenario name to a one-line description.
No Qt here: the GUI, the CLI and the tests all use the same class.
"""

from client.demo.catalog import SCENARIO_DETAILS, SCENARIOS, Scenario
from client.demo.sample_tree import BINARY_SAMPLE, SYMLINK_SAMPLE, UPLOAD_FOLDER, SampleTree
from client.demo.scenarios import UNROUTABLE_PASV_ADDRESS
from client.demo.server import DEMO_USER, DemoServer, DemoServerError

__all__ = [
    "DemoServer",
    "DemoServerError",
    "DEMO_USER",
    "SCENARIOS",
    "SCENARIO_DETAILS",
    "Scenario",
    "SampleTree",
    "BINARY_SAMPLE",
    "SYMLINK_SAMPLE",
    "UPLOAD_FOLDER",
    "UNROUTABLE_PASV_ADDRESS",
]
