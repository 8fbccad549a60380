#!/usr/bin/env bash
# A name full of terminal escape sequences, shown by `peermap tui` in a real terminal (tmux): the sequences
# must be shown escaped (\x1b...), never obeyed. The demo borough is built, one young person on the map and
# one place are renamed with clear-screen, window-title (OSC 0 and 2), cursor-move, carriage-return,
# backspace, C1 CSI and right-to-left-override sequences, and the UI is driven to show them on the map, in
# the list and on the person's own screen. Checks: the pane title never changes, the screen is never
# cleared or scribbled on (the header and key bar stay), and the escaped forms are what is on screen.
# Exit status 0 = every check passed. Captures are kept in $OUT.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="${PEERMAP_PYTHON:-$ROOT/.venv/bin/python}"
WORK="$(mktemp -d -t peermap-tui-hostile.XXXXXX)"
OUT="${OUT:-$WORK/captures}"
SESSION="peermap-hostile-$$"
TMUX_CMD=(tmux -L "peermap-hostile-$$" -f /dev/null)
export PEERMAP_NOW="${PEERMAP_NOW:-2026-11-28T09:00:00+00:00}"
mkdir -p "$OUT"

cleanup() {
    "${TMUX_CMD[@]}" kill-server 2>/dev/null || true
    rm -f "$WORK/demo.db"
}
trap cleanup EXIT

command -v tmux >/dev/null || { echo "tmux is not installed" >&2; exit 2; }

echo "building the demo borough with hostile names in $WORK/demo.db"
"$PY" - "$WORK/demo.db" <<'PYEOF'
import sys

from sqlalchemy import text

from peermap.engine import Actor, Role, Store, build_demo, compute_map

HOSTILE = (
    "Zed\x1b[2J\x1b[H\x1b]0;PWNED-TITLE\x07\x1b]2;PWNED-TWO\x1b\\\x1b[5;5HXX\x1b[1A\rOVER\x08\x08"
    "\x9b2J\u202eLIVE\x1b[31mRED\x1b[0m"
)
store = Store.open(sys.argv[1])
build_demo(store, Actor("demo.builder", Role.PANEL), seed=7)
result = compute_map(store)
shown = [st.person_id for st in result.shown_people() if st.status == "included"]
with store.engine.begin() as conn:
    # The test edits the stored name directly: the point is what the UI does with whatever is stored.
    conn.execute(text("UPDATE young_person SET name = :n WHERE person_id = :p"), {"n": HOSTILE, "p": shown[0]})
    conn.execute(
        text("UPDATE location SET name = :n WHERE location_id = (SELECT min(location_id) FROM location)"),
        {"n": "Yard\x1b]0;PLACE-TITLE\x07\x1b[2J"},
    )
store.dispose()
PYEOF

"${TMUX_CMD[@]}" new-session -d -s "$SESSION" -x 100 -y 30 \
    "cd '$WORK' && '$PY' -m peermap --db '$WORK/demo.db' --actor chair --role panel tui"
"${TMUX_CMD[@]}" set-option -s escape-time 0

STEP=0
capture() { "${TMUX_CMD[@]}" capture-pane -t "$SESSION" -p; }
title() { "${TMUX_CMD[@]}" display-message -p -t "$SESSION" '#{pane_title}'; }

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

same_title() {
    local now
    now="$(title)"
    if [ "$now" != "$TITLE" ]; then
        echo "FAIL: the pane title changed from '$TITLE' to '$now'" >&2
        exit 1
    fi
    case "$now" in *PWNED*|*PLACE-TITLE*) echo "FAIL: title set by record text: $now" >&2; exit 1 ;; esac
    echo "ok   pane title unchanged: $now"
}

intact() {  # the frame is still drawn: header and key bar, so the screen was not cleared
    wait_for "(chair) · panel" 5
    wait_for "^p palette" 5
}

keys() {
    local key
    for key in "$@"; do
        "${TMUX_CMD[@]}" send-keys -t "$SESSION" "$key"
        if [ "$key" = Escape ]; then sleep 1; else sleep 0.3; fi
    done
}

wait_for "(chair) · panel" 30
wait_for "Version 1" 30
TITLE="$(title)"
echo "pane title at start: $TITLE"
keys m
wait_for "Group G-01"
wait_for 'Zed\x1b[2J' 20            # drawn on the map (arc diagram), escaped
same_title
intact
keys v
wait_for "Filter by name"
keys / Z e d Enter
wait_for 'Zed\x1b' 20                # in the list, escaped
keys Enter
wait_for 'Zed\x1b[2J\x1b[H\x1b]0;PWNED-TITLE\x07' 20   # the person's own screen: the whole name, escaped
for part in 'PWNED-TWO' '\x0dOVER\x08\x08' '\u009b2J' '\u202eL' '\x1b[31mRED'; do
    grep -qF -- "$part" "$OUT/$(printf '%02d' "$STEP").txt" || { echo "FAIL: '$part' not shown escaped" >&2; exit 1; }
    echo "ok   shown escaped: $part"
done
same_title
intact
refute "Traceback"
keys Escape o
wait_for "Version 1" 20
same_title
intact
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
