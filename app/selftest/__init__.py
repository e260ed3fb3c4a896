"""``digitlab selftest`` and ``digitlab screenshots``: the real window, driven offscreen.

:mod:`.runner` runs the checks of the ``check_*`` modules (one protocol: ``CHECKS``),
:mod:`.support` holds what they share, :mod:`.screenshots` saves a picture of each tab.
"""
