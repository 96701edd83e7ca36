"""``python -m jitrisk``: the command line."""

import sys

from .cli.commands import main

sys.exit(main())
