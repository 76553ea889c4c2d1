"""``python -m optimiser run ...``: see ``optimiser.cli``."""

import sys

from optimiser.cli import main

sys.exit(main())
