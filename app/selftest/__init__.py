"""``digitlab selftest``: one runner and its checks (``check_*`` modules, one protocol)."""
