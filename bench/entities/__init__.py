"""Entity-extraction evaluation: hand-annotated gold sets and a set-level scorer."""
