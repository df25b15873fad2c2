#!/bin/sh
# crash-loop.sh: the long crash-safety loop `make stress` runs: the kill -9
# cycles of tests/integration/crash.sh (which the suite runs 8 of), many
# times over.  Each cycle kills the daemon under an fsync'd write load
# (some 40 MB a cycle) and requires fsck to be clean; every byte reported
# durable in any cycle must survive all the later ones.
#   STRESS_CYCLES (100)  cycles
#   STRESS_TIMEOUT (3600) seconds before the loop counts as hung
HERE=$(cd "$(dirname "$0")" && pwd)
export CRASH_CYCLES="${STRESS_CYCLES:-100}"
export CRASH_WINDOW="${CRASH_WINDOW:-5}" # the final mount verifies every cycle
exec timeout -k 10 "${STRESS_TIMEOUT:-3600}" sh "$HERE/../integration/crash.sh"
