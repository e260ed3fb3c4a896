"""The Draw tab: the canvas, the 28x28 input, the probability bars and the activation maps."""
