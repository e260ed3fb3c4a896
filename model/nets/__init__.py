"""The two seed networks: building, training, fine-tuning, inference and model files."""
