"""The Model tab: the layers as loaded, the accuracy table and the attribution."""
