#!/usr/bin/env bash
# ansible-test sanity with one ansible-core on the installed copy of the built collection.
#
#   bash scripts/sanity.sh COLLECTION_DIR VENV_BIN PYTHON_VERSION
#
# COLLECTION_DIR ends in ansible_collections/winflask/iis; VENV_BIN is the bin folder of the venv whose
# ansible-test runs (.venv/main/bin, .venv/core-2.16/bin); PYTHON_VERSION the controller Python it tests
# with (--venv: one virtual environment per test, ansible-test's pinned requirements).
# docs/testing.md "ansible-test sanity" says why each step is there.
set -euo pipefail

collection=$1 bin=$(cd "$2" && pwd) python=$3
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# ansible-test bootstraps pip in each venv with get-pip.py from a host not reachable here, unless a copy
# is cached: the stand-in (ensurepip + pip install) under the name of every pip version this
# ansible-test pins (one per Python range).
requirements=$("$bin/python" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')/_internal/python_requirements.py
mkdir -p "$HOME/.ansible/test/cache"
for version in $(grep -oP "pip='\K[0-9.]+" "$requirements"); do
    cp "$repo/scripts/get_pip_standin.py" "$HOME/.ansible/test/cache/get_pip_${version//./_}.py"
done

log=$(mktemp "${TMPDIR:-/tmp}/winflask-sanity.XXXXXX")
trap 'rm -f "$log"' EXIT
# pslint needs pwsh, which does not exist here, and an ignore file cannot skip it (docs/testing.md).
# The allowed warnings are the machine's: no en_US.UTF-8 locale, no shellcheck program, pip's
# configured index folders that do not exist; any other warning fails the run.
(cd "$collection" && PATH="$bin:$PATH" "$repo/.venv/main/bin/python" "$repo/scripts/quiet_check.py" \
    --allow 'Using locale "C.UTF-8" instead of "en_US.UTF-8"' \
    --allow 'Required program "shellcheck" not found' \
    --allow "^WARNING: Location 'file://[^']*' is ignored: it is neither a file nor a directory" \
    --allow '^WARNING: Reviewing previous [0-9]+ warning' \
    -- "$bin/ansible-test" sanity --venv --python "$python" --color no --skip-test pslint) 2>&1 | tee "$log"
if grep -q "All targets skipped" "$log"; then
    echo "FAIL: ansible-test found nothing to test in $collection" >&2
    exit 1
fi
