"""The Train tab: run set-up, the training worker, curves, evaluation and your own data."""
