"""The suite lives in bench/ at the top of the repository, which is not an installed
package: make it importable however pytest was started."""

import sys
from pathlib import Path

REPOSITORY = str(Path(__file__).resolve().parents[2])
if REPOSITORY not in sys.path:
    sys.path.insert(0, REPOSITORY)
