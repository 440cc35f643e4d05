"""``python -m restrat``: the command line (:func:`restrat.cli.main`)."""

import sys

from .cli import main

sys.exit(main())
