"""Which evidence items repeat one origin, whichever agency recorded them (relayed information is one source).

Two items are of one origin when they share a `source_ref` (across agencies: "police told us" recorded by
a school under the police reference is still the police report), or when one is `relayed_from` the other,
directly or along a chain. `relayed_from` names either an evidence id or a source reference; a reference
no item carries still joins every item that relays it.

The groups are the connected components of a graph whose nodes are source references and items; the work
is array code (numpy factorising, scipy's connected components), never a Python loop per row.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def _text_column(values: Any, n: int) -> np.ndarray:
    """Values as an array of str with "" for missing (None / NaN-free input expected)."""
    if values is None:
        return np.full(n, "", dtype=object).astype(str)
    arr = np.asarray(values, dtype=object)
    missing = np.asarray(arr == None, dtype=bool)  # noqa: E711 - elementwise on an object array
    return np.where(missing, "", arr).astype(str)


def relay_groups(evidence_ids: Any, source_refs: Any, relayed_from: Any) -> np.ndarray:
    """Per item: 0 when no relay joins it to anything, else a 1-based group number shared by its origin.

    Items sharing a source reference are one origin even without a relay (scoring keys those by the
    reference); this function only adds the joins that `relayed_from` makes, and gives every item of a
    joined component (its source-reference partners included) the component's group number.
    """
    ids = _text_column(evidence_ids, 0)
    n = ids.shape[0]
    refs = _text_column(source_refs, n)
    relay = _text_column(relayed_from, n)
    out = np.zeros(n, dtype=np.int32)
    relays = relay != ""
    if n == 0 or not relays.any():
        return out
    # Reference namespace: every source_ref and every relayed_from value that is not an evidence id.
    relay_is_item = np.isin(relay, ids) & relays
    ref_names, ref_inv = np.unique(np.concatenate([refs, relay[relays & ~relay_is_item]]), return_inverse=True)
    ref_inv = ref_inv.astype(np.int64)
    n_refs = ref_names.shape[0]
    has_ref = refs != ""
    # Node of each item: its reference node when it has one, else a node of its own.
    node = np.where(has_ref, ref_inv[:n], n_refs + np.arange(n, dtype=np.int64))
    # Targets: an evidence id -> that item's node; otherwise the reference node of the relayed name.
    order = np.argsort(ids, kind="stable")
    target = np.full(n, -1, dtype=np.int64)
    item_rows = np.flatnonzero(relay_is_item)
    target[item_rows] = node[order[np.searchsorted(ids[order], relay[item_rows])]]
    ref_rows = np.flatnonzero(relays & ~relay_is_item)
    target[ref_rows] = ref_inv[n:]
    src = node[relays]
    dst = target[relays]
    size = n_refs + n
    graph = coo_matrix((np.ones(src.shape[0], dtype=np.int8), (src, dst)), shape=(size, size))
    _count, comp = connected_components(graph, directed=False)
    # Only components a relay touched get a group; numbered densely in order of first appearance.
    touched = np.zeros(size, dtype=bool)
    touched[comp[src]] = True
    item_comp = comp[node]
    joined = touched[item_comp]
    if joined.any():
        _u, dense = np.unique(item_comp[joined], return_inverse=True)
        out[joined] = dense.astype(np.int32) + 1
    return out
