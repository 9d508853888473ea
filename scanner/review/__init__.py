"""Review: the findings workflow and audit trail, exports, the compliance report, retention."""
