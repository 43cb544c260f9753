"""``python -m costlib``: the same as the ``costlib`` command."""

import sys

from .cli import main

sys.exit(main())
