"""Distansguiden: an assistant for remote work (distansarbete) in Swedish regions."""
