# SPDX-License-Identifier: MIT OR Apache-2.0
"""rtheap's worst-case bound analyser: `python3 tools/wcet --help`."""

import os
import sys

sys.dont_write_bytecode = True  # running the tool leaves nothing in the tree
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from wcet.cli import main  # noqa: E402

sys.exit(main(sys.argv[1:]))
