"""Risk assessments of remote work: booking the dialogue and documenting its outcome."""
