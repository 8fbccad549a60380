"""peermap's Textual terminal UI: a thin driver over the engine's public API (no domain logic here)."""
