# Shared by scripts/*.sh (sourced, not run).
# shellcheck shell=bash
WINFLASK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export WINFLASK_ROOT
# The stand-in ansible.windows of the emulated host, and the collection itself.
WINFLASK_STAND_IN="$WINFLASK_ROOT/tests/emulator/collections"
WINFLASK_COLLECTIONS="$WINFLASK_ROOT/.build/collections"
export WINFLASK_STAND_IN WINFLASK_COLLECTIONS
