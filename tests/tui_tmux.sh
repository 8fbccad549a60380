#!/usr/bin/env bash
# A scripted run of `peermap tui` in a real terminal (tmux): build the demo borough in a temporary database,
# start the UI at 100x30, drive it with keys, capture the pane after each step and check what it shows.
# Captures are kept in $OUT (default: a temporary folder, printed at the end). Exit status 0 = every check passed.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="$ROOT/.venv/bin/python"
PEERMAP="$ROOT/.venv/bin/peermap"
WORK="$(mktemp -d -t peermap-tui-tmux.XXXXXX)"
OUT="${OUT:-$WORK/captures}"
SESSION="peermap-tui-$$"
# A private tmux server (its own socket) with no escape delay: an Escape followed by a key must not be read
# as Alt+key, and the user's own tmux sessions are left alone.
TMUX_CMD=(tmux -L "peermap-tui-$$" -f /dev/null)
export PEERMAP_NOW="${PEERMAP_NOW:-2026-11-28T09:00:00+00:00}"
mkdir -p "$OUT"

cleanup() {
    "${TMUX_CMD[@]}" kill-server 2>/dev/null || true
    rm -f "$WORK/demo.db"
}
trap cleanup EXIT

command -v tmux >/dev/null || { echo "tmux is not installed" >&2; exit 2; }

echo "building the demo borough in $WORK/demo.db"
"$PY" - "$WORK/demo.db" <<'EOF'
import sys
from peermap.engine.access import Actor, Role
from peermap.engine.demo import build_demo
from peermap.engine.store import Store

store = Store.open(sys.argv[1])
build_demo(store, Actor("demo.builder", Role.PANEL), seed=7)
store.dispose()
EOF

"${TMUX_CMD[@]}" new-session -d -s "$SESSION" -x 100 -y 30 \
    "cd '$WORK' && '$PEERMAP' --db '$WORK/demo.db' --actor chair --role panel tui"
"${TMUX_CMD[@]}" set-option -s escape-time 0

STEP=0
capture() { "${TMUX_CMD[@]}" capture-pane -t "$SESSION" -p; }

# wait_for TEXT [SECONDS]: poll the pane until TEXT appears; save the capture either way.
wait_for() {
    local text="$1" limit="${2:-20}" waited=0
    STEP=$((STEP + 1))
    while ! capture | grep -qF -- "$text"; do
        sleep 0.25
        waited=$((waited + 1))
        if [ "$waited" -ge $((limit * 4)) ]; then
            capture > "$OUT/$(printf '%02d' "$STEP")-FAILED.txt"
            echo "FAIL step $STEP: '$text' did not appear within ${limit}s; the pane showed:" >&2
            capture >&2
            exit 1
        fi
    done
    capture > "$OUT/$(printf '%02d' "$STEP").txt"
    echo "ok   step $STEP: $text"
}

refute() {
    if capture | grep -qF -- "$1"; then
        echo "FAIL: '$1' should not be on screen" >&2
        capture >&2
        exit 1
    fi
    echo "ok   not shown: $1"
}

# Send keys one at a time with a pause, so an Escape is never read as the Alt prefix of the next key.
keys() {
    local key
    for key in "$@"; do
        "${TMUX_CMD[@]}" send-keys -t "$SESSION" "$key"
        # An Escape and the next key read together by a busy app would arrive as one Alt+key.
        if [ "$key" = Escape ]; then sleep 1; else sleep 0.3; fi
    done
}

wait_for "(chair) · panel" 30
wait_for "Version 1" 30                # the map has been computed: the overview shows the policy in force
wait_for "Left out"
wait_for "To decide"
keys m
wait_for "Group G-01"
wait_for "╌"                           # grey-band links drawn dashed
wait_for "grey band"                   # and the legend says so
keys v                                 # at 100 columns the list replaces the graph
wait_for "Filter by name"
keys Enter
wait_for "Profile"                     # the first row is a group: its profile opens
keys Escape
keys o
wait_for "Peer groups"
keys p
wait_for "Include at confidence"
keys End BSpace BSpace BSpace 0 . 6
wait_for "would move." 30              # the preview: counts before and after, and who moves
keys Escape
keys i
wait_for "Suggestions"
wait_for "because"
keys r
wait_for "Generate"
keys l
wait_for "Audit log: newest first"
keys v
wait_for "Audit chain intact" 30
keys ?
wait_for "peermap keys"
keys Escape
refute "Traceback"
keys q
for _ in $(seq 1 40); do
    "${TMUX_CMD[@]}" has-session -t "$SESSION" 2>/dev/null || break
    sleep 0.25
done
if "${TMUX_CMD[@]}" has-session -t "$SESSION" 2>/dev/null; then
    echo "FAIL: q did not quit" >&2
    exit 1
fi
echo "ok   q quits"
echo "all checks passed; captures in $OUT"
