"""``python -m saeprobe``: the command line (see :mod:`saeprobe.app`)."""

import sys

from saeprobe.app import main

sys.exit(main())
