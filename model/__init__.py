"""Digit Lab's Qt-free core: data, preprocessing, the two seed models, training and inference.

Nothing in this package imports Qt; every function takes and returns NumPy arrays.
"""

__version__ = "0.1.0"
