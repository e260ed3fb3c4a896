"""Digit Lab's bundled files (MNIST, the trained models, icons), read with
``importlib.resources``."""
