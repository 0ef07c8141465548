"""The FAQ: markdown content HR maintains, the search index over it, and the answering rules."""
