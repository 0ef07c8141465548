"""The risk-assessment dialogue: booking, moving or cancelling it, and documenting its outcome."""
