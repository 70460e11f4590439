#!/usr/bin/env bash
# A payer's day with the claim history (examples/history/README.md): last year's adjudicated
# claims imported as paid history, then today's claims judged against them and recorded.
# Run from the repository's root: `bash examples/history/run.sh` (uses `cargo run`), or set
# CLAIMRULES to a built binary. The history is kept in a temporary SQLite file; set HISTORY to
# keep it elsewhere (`HISTORY=postgres://user@host/db` for PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/../.."
claimrules() {
  if [ -n "${CLAIMRULES:-}" ]; then "$CLAIMRULES" "$@"; else cargo run -q -- "$@"; fi
}
history=${HISTORY:-$(mktemp -d)/history.db}

# 1. Last year's claims, as the payer paid them.
claimrules history import --history "$history" examples/history/last-year.ndjson

# 2. Today's claims, judged with the standard pack and Northwind's pack, each against the
#    member's earlier claims (and today's claims before it), and recorded with its outcome.
#    `check` exits 1 when some claim is denied, as here.
claimrules check --pack examples/history/pack --history "$history" --record --format text \
  examples/history/today.ndjson || [ $? -eq 1 ]

# 3. What the history now holds for one member: the surgery, and today's denied visit.
claimrules history show --history "$history" M-1001
