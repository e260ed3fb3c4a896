"""The command line: ``digitlab`` and its verbs (Qt only for the window verbs)."""
