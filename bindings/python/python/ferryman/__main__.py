"""``python -m ferryman``: the ``ferryman`` command."""

import sys

from ._cli import main

sys.exit(main())
