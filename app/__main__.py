"""``python -m digitlab.app`` runs Digit Lab (the same as the ``digitlab`` command)."""

import sys

from digitlab.app.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
