"""Digit Lab's desktop application: the Qt window, its views and workers, and the entry point."""
