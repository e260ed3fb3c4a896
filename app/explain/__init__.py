"""The Explain tab: why it answered, computed in a thread of its own."""
