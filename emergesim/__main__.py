"""``python -m emergesim``: the same as the ``emergesim`` command."""

from emergesim.cli import entry

entry()
