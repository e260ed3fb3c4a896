"""``python -m app`` runs Digit Lab (the same as the ``digitlab`` command)."""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
