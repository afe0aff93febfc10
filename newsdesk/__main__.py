"""``python -m newsdesk``: the same entry point as the ``newsdesk`` command."""

from newsdesk.tui.cli import main

raise SystemExit(main())
