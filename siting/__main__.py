"""``python -m siting``: the same as the ``siting`` command."""

from siting.cli import main

raise SystemExit(main())
