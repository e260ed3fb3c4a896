"""The Explore tab: where your drawing lands among the MNIST digits, and ways to push, fool and
break the models."""
