"""peermap's engine: the headless domain the CLI, TUI and reports call. Public names are listed in __all__."""

from .access import Actor, Role
from .errors import ImportRejected, InputProblem, NotFound, PeermapError, PermissionDenied, PolicyError
from .store import Store

__all__ = [
    "Actor",
    "ImportRejected",
    "InputProblem",
    "NotFound",
    "PeermapError",
    "PermissionDenied",
    "PolicyError",
    "Role",
    "Store",
]
