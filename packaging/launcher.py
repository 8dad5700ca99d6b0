"""Entry script of the bundle: the same ``run`` as the ``ftp-inspector`` console script.

PyInstaller needs a file to start from; this one only hands over to the CLI dispatcher,
so the bundle and a pip install behave identically (GUI by default, subcommands,
``--version`` and ``--self-test``).
"""

from client.entry import run

run()
