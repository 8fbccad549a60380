"""The evidence-confidence rules engine: grading scales, rule packs, opinion algebra, scoring, traces."""
