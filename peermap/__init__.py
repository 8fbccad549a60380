"""The peermap command line (a thin layer over `engine`)."""
