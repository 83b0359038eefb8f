#!/usr/bin/env bash
# Runs every Grid test from a fresh clone: installs what the tests need, builds, checks the
# format, runs every tier (unit, integration, end-to-end), and ends with one summary line
# ("N passed, N failed, N skipped"). The unit tier alone: see README, "Tests".
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }

command -v dotnet >/dev/null || { echo "dotnet (the .NET 10 SDK) is required" >&2; exit 1; }
command -v npm >/dev/null || { echo "npm (Node.js) is required to install the dashboard's libraries" >&2; exit 1; }

# The browser tests drive Debian's Chromium (Playwright never downloads a browser here), and
# Chinese text needs a CJK font or every character renders as a box.
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
if [ ! -x /usr/bin/chromium ]; then
  missing+=(chromium fonts-noto-cjk)
elif ! dpkg -s fonts-noto-cjk >/dev/null 2>&1 && [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  missing+=(fonts-noto-cjk)
fi
if [ ${#missing[@]} -gt 0 ]; then
  log "browser packages: ${missing[*]}"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The postgres profile's tests run on a real PostgreSQL from Debian's packages, started here for
# this run only (GRID_TEST_POSTGRES names it); without it those tests fail, they never skip.
source tests/postgres.sh
if [ -z "${GRID_TEST_POSTGRES:-}" ]; then
  log "PostgreSQL for the tests"
  trap stop_test_postgres EXIT
  start_test_postgres
fi

log "dashboard packages"
(cd dashboard && npm ci --no-audit --no-fund --loglevel=error)

log "build"
dotnet build Grid.sln -c Release -warnaserror --nologo -v quiet

# The house rules in .editorconfig: whitespace, and the style and analyzer rules set to warning there.
log "format"
dotnet format Grid.sln --verify-no-changes --no-restore --severity warn \
  || { echo "the code does not follow .editorconfig: \`dotnet format Grid.sln\` fixes it" >&2; exit 1; }

log "test"
results=$(mktemp -d)
set +e
dotnet test Grid.sln -c Release --no-build --nologo \
  --blame-hang-timeout 10m --results-directory "$results" 2>&1 | tee "$results/output.txt"
status=${PIPESTATUS[0]}
set -e

# dotnet test prints one "Passed!/Failed!  - Failed: a, Passed: b, Skipped: c" line per test assembly.
grep -E '^(Passed|Failed)!' "$results/output.txt" | awk -F'[:,]' '
  { failed += $2; passed += $4; skipped += $6; runs++ }
  END { if (runs == 0) { print "0 passed, 1 failed (no test assembly ran)"; exit 1 }
        printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped }'
exit "$status"
