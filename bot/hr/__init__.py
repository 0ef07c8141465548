"""What HR sees and does: the review queue, per-entry figures, safe edits of the FAQ files,
the audit trail, retention and erasure."""
