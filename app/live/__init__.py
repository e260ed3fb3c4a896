"""The inference thread behind the live view: the newest drawing wins."""
