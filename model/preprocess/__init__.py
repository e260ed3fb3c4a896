"""Strokes and pictures to the 28x28 model input, and the pen-like augmentation."""
