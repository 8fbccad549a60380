"""The scored links: one row per (subject, object, relation), as numpy columns."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..snapshot import NodeIndex
from ..vocab import RELATION_CODE, RELATIONS, Relation


@dataclass
class LinkTable:
    """Scoring output. Person-person links are stored once, with subject position < object position."""

    subject: np.ndarray  # int32 node position
    object: np.ndarray  # int32 node position
    relation: np.ndarray  # int8, engine.vocab.RELATION_CODE
    belief: np.ndarray  # float64
    disbelief: np.ndarray
    uncertainty: np.ndarray
    base_rate: np.ndarray
    confidence: np.ndarray  # projected probability b + a*u
    conflict: np.ndarray  # disagreement between the fused origins, 0..1
    n_items: np.ndarray  # int32: evidence items used
    n_unused: np.ndarray  # int32: items present but not used (agreement, retention, withdrawn, rule exclusion)
    n_agencies: np.ndarray  # int32: independent agencies (each origin counts once, for its first recorder)
    n_origins: np.ndarray  # int32: independent origins fused
    newest: np.ndarray  # int32 day number of the newest used item (observed date); -1 if none
    oldest: np.ndarray  # int32 day number of the oldest used item; -1 if none
    nodes: NodeIndex
    rule_pack_version: str

    def __len__(self) -> int:
        return int(self.subject.shape[0])

    def relation_of(self, i: int) -> Relation:
        return RELATIONS[int(self.relation[i])]

    def find(self, a: str, b: str, relation: Relation | None = None) -> np.ndarray:
        """Row indices of the links between node ids a and b (either order), optionally of one relation."""
        pa, pb = self.nodes.position.get(a), self.nodes.position.get(b)
        if pa is None or pb is None:
            return np.zeros(0, dtype=np.int64)
        mask = ((self.subject == pa) & (self.object == pb)) | ((self.subject == pb) & (self.object == pa))
        if relation is not None:
            mask &= self.relation == RELATION_CODE[relation.value]
        return np.flatnonzero(mask)
