"""Exploring the models: where a drawing lands among the MNIST digits, pushing and fooling
it, breaking the network, and what its units want (NumPy and Keras, no Qt)."""
