#!/usr/bin/env bash
# Run every test of the collection, stage by stage, stopping at the first failure.
#
#   bash scripts/test.sh              every stage
#   bash scripts/test.sh ruff unit    only the named stages (names: bash scripts/test.sh --list)
#
# WINFLASK_TEST_VENVS=main (or core-2.16) limits the ansible runs to one venv.
# docs/testing.md describes each stage.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$WINFLASK_ROOT"

STAGES=(ruff yamllint ansible-lint changelog powershell unit unit-core-2.16 docs integration build sanity
        molecule site)

if [ "${1:-}" = "--list" ]; then
    printf '%s\n' "${STAGES[@]}"
    exit 0
fi

MAIN="$WINFLASK_ROOT/.venv/main/bin"
OLD="$WINFLASK_ROOT/.venv/core-2.16/bin"
export PATH="$MAIN:$PATH"
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 PY_COLORS=0 NO_COLOR=1
PYTEST_OPTS=(-ra -p no:cacheprovider -o empty_parameter_set_mark=fail_at_collect)
# The ansible runs are independent (a fresh emulated host each): one pytest worker per core.
PARALLEL=(-n "${WINFLASK_TEST_WORKERS:-auto}" --dist worksteal --durations=8)
# The unit tests are independent too (free ports, temporary folders): one worker per core.
UNIT_PARALLEL=(-n "${WINFLASK_TEST_WORKERS:-auto}")
SANITY_PYTHON=${WINFLASK_SANITY_PYTHON:-3.13}
# The built tarball and the installed copy live outside the repository (inside it, ansible-test
# would list files with the repository's git, where .build/ is ignored, and find nothing), in a
# folder of this run's own, so that two runs in one checkout do not pull it from under each other.
INSTALL_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/winflask-iis-test.XXXXXX")
trap 'rm -rf "$INSTALL_ROOT"' EXIT
INSTALLED="$INSTALL_ROOT/ansible_collections/winflask/iis"

passed=0
timings=()

banner() { printf '\n==================== %s ====================\n' "$*"; }

# A stage with nothing to test fails: a green run must mean every part was tested.
need() {
    if [ -z "$(find . -path "./$1" -not -path './.venv/*' -not -path './.build/*' -print -quit)" ]; then
        echo "FAIL: nothing to test: no $1" >&2
        return 1
    fi
}

# scripts/quiet_check.py: a linter that prints a warning or an error fails its stage, even when it exits 0.
stage_ruff() { "$MAIN/python" scripts/quiet_check.py -- "$MAIN/ruff" check .; }

# -s (strict): a warning fails too.
stage_yamllint() { "$MAIN/yamllint" -s .; }

# The collection itself comes from .build/collections (the link scripts/setup.sh makes); offline
# because Galaxy is not reachable (ansible.windows comes from the `ansible` package).
stage_ansible_lint() {
    ANSIBLE_COLLECTIONS_PATH="$WINFLASK_COLLECTIONS" "$MAIN/python" scripts/quiet_check.py \
        --fail-on ' [1-9][0-9]* warning\(s\)' -- "$MAIN/ansible-lint" --offline
}

# Lint the fragments, then the release step on a scratch copy (CHANGELOG.rst with every module and role).
stage_changelog() {
    "$MAIN/antsibull-changelog" lint
    bash tests/build/changelog_release.sh
}

# PowerShell syntax (tree-sitter under node) of every script file; the unit stage's
# tests/unit/test_powershell_syntax.py also parses each script as the transport sends it.
# Then the Windows PowerShell 5.1 static check (docs/powershell.md "Static check") of each target
# script as the transport sends it (includes inlined, findings at the included file's line), and of the
# roles' scripts (run through win_powershell too);
# tests/unit/test_powershell_lint.py proves each rule on its fixtures.
stage_powershell() {
    need 'powershell/*.ps1'
    node tests/powershell/parse.mjs powershell/*.ps1 powershell/common/*.ps1
    mapfile -t role_scripts < <(find roles -name '*.ps1' | sort)
    node tests/powershell/lint.mjs powershell/*.ps1 "${role_scripts[@]}"
}

unit_paths() {
    local paths=(tests/unit)
    if [ -n "$(find tests/emulator -name 'test_*.py' -not -path '*/collections/*' -print -quit)" ]; then
        paths+=(tests/emulator)
    fi
    printf '%s\n' "${paths[@]}"
}

stage_unit() {
    need 'tests/unit/*test_*.py'
    mapfile -t paths < <(unit_paths)
    "$MAIN/pytest" "${PYTEST_OPTS[@]}" "${UNIT_PARALLEL[@]}" "${paths[@]}"
}

stage_unit_core_2_16() {
    mapfile -t paths < <(unit_paths)
    "$OLD/pytest" "${PYTEST_OPTS[@]}" "${UNIT_PARALLEL[@]}" "${paths[@]}"
}

# ansible-doc on both cores and the docs' references (test_docs.py), then antsibull-docs
# lint-collection-docs --plugin-docs and the docs site built offline with sphinx-build -W
# (tests/docs/docsite.py; docs/testing.md).
stage_docs() {
    "$MAIN/pytest" "${PYTEST_OPTS[@]}" tests/integration/test_docs.py
    "$MAIN/python" tests/docs/docsite.py --collection "$WINFLASK_COLLECTIONS/ansible_collections/winflask/iis"
}

# Every integration target (test_targets.py) and every other pytest file of tests/integration,
# except those that have stages of their own (docs, site), under the newest ansible-core; under
# ansible-core 2.16 the files whose outcome depends on ansible-core (OLD_CORE_INTEGRATION: every
# module through its target, argument handling, the module examples). The rest tests the emulator and
# the PowerShell contract, the same under either core (docs/testing.md, "Which core runs what").
# WINFLASK_TEST_VENVS, when set, runs everything under the venvs it names.
OLD_CORE_INTEGRATION=(tests/integration/test_targets.py tests/integration/test_roles_hardening.py
                      tests/integration/test_rewrite_examples.py tests/integration/test_bad_input.py)
stage_integration() {
    local ignore=(--ignore=tests/integration/test_docs.py --ignore=tests/integration/test_site.py
                  --ignore=tests/integration/test_site_app.py)
    if [ -n "${WINFLASK_TEST_VENVS:-}" ]; then
        "$MAIN/pytest" "${PYTEST_OPTS[@]}" "${PARALLEL[@]}" tests/integration "${ignore[@]}"
        return
    fi
    WINFLASK_TEST_VENVS=main "$MAIN/pytest" "${PYTEST_OPTS[@]}" "${PARALLEL[@]}" tests/integration "${ignore[@]}"
    WINFLASK_TEST_VENVS=core-2.16 "$MAIN/pytest" "${PYTEST_OPTS[@]}" "${PARALLEL[@]}" "${OLD_CORE_INTEGRATION[@]}"
}

# Build the tarball, install it where ansible-test wants it, and check what got in.
stage_build() {
    rm -rf "${INSTALL_ROOT:?}"/*
    "$MAIN/ansible-galaxy" collection build --output-path "$INSTALL_ROOT/dist" .
    local tarball
    tarball=$(ls "$INSTALL_ROOT"/dist/winflask-iis-*.tar.gz)
    "$MAIN/ansible-galaxy" collection install --no-deps --force -p "$INSTALL_ROOT" "$tarball"
    local listed
    listed=$(ANSIBLE_COLLECTIONS_PATH="$INSTALL_ROOT" "$MAIN/ansible-galaxy" collection list \
        winflask.iis 2>/dev/null)
    grep -q "winflask.iis" <<<"$listed" || { echo "FAIL: installed collection not listed: $listed" >&2; return 1; }
    local file missing=0
    for file in MANIFEST.json FILES.json meta/runtime.yml README.md playbooks/site.yml \
        $(git ls-files 'plugins/*.py' 'powershell/*.ps1' 'roles/*'); do
        [ -e "$INSTALLED/$file" ] || { echo "FAIL: $file missing from the built collection" >&2; missing=1; }
    done
    for file in .venv .build .git tests/output node_modules tests/powershell/node_modules; do
        [ ! -e "$INSTALLED/$file" ] || { echo "FAIL: $file must not be in the built collection" >&2; missing=1; }
    done
    [ "$missing" = 0 ]
    echo "built $(basename "$tarball") ($(du -h "$tarball" | cut -f1)), installed to $INSTALLED"
    # Exactly the shipped files, galaxy-importer, a module run from the installed copy, ansible-builder
    # (docs/testing.md, "Building and shipping").
    bash tests/build/ship_checks.sh "$tarball" "$INSTALL_ROOT"
    "$MAIN/pytest" "${PYTEST_OPTS[@]}" -q tests/build
}

# ansible-test sanity on the installed copy (its path ends in ansible_collections/winflask/iis), with
# every ansible-core the collection claims: 2.16 (controller Pythons 3.10-3.12: 3.11) and the newest;
# WINFLASK_TEST_VENVS limits it to one. scripts/sanity.sh fails on a warning the machine does not cause.
stage_sanity() {
    [ -f "$INSTALLED/MANIFEST.json" ] || stage_build
    local venvs=",${WINFLASK_TEST_VENVS:-core-2.16,main},"
    [[ $venvs != *,core-2.16,* ]] || bash scripts/sanity.sh "$INSTALLED" "$OLD" 3.11
    [[ $venvs != *,main,* ]] || bash scripts/sanity.sh "$INSTALLED" "$MAIN" "$SANITY_PYTHON"
}

# Molecule: converge + idempotence + verify on a fresh emulated host.
stage_molecule() {
    need 'extensions/molecule/*/molecule.yml'
    # Each scenario's prepare lays out a fresh emulated host in its ephemeral directory.
    "$MAIN/molecule" test --all
}

# The whole job: site twice on a bare host (second run changed=0, no write, the app answers over
# HTTP; test_site_app.py) and check mode on a bare host writes nothing (test_site.py).
stage_site() {
    "$MAIN/pytest" "${PYTEST_OPTS[@]}" "${PARALLEL[@]}" tests/integration/test_site.py \
        tests/integration/test_site_app.py
}

run_stage() {
    local name=$1 function=stage_${1//[-.]/_} start elapsed
    banner "stage: $name"
    start=$(date +%s)
    # A subshell outside any condition, so that `set -e` holds inside the stage.
    set +e
    (set -e; "$function")
    local rc=$?
    set -e
    if [ "$rc" = 0 ]; then
        elapsed=$(( $(date +%s) - start ))
        timings+=("$(printf '%-16s %4ss  passed' "$name" "$elapsed")")
        passed=$((passed + 1))
        echo "--- $name passed in ${elapsed}s"
    else
        elapsed=$(( $(date +%s) - start ))
        timings+=("$(printf '%-16s %4ss  FAILED' "$name" "$elapsed")")
        banner "FAILED: stage $name (${elapsed}s)"
        summary 1
        exit 1
    fi
}

summary() {
    local failed=$1
    banner "summary"
    printf '%s\n' "${timings[@]}"
    echo "$passed passed, $failed failed (stages) in $(( $(date +%s) - START ))s"
}

START=$(date +%s)
selected=("$@")
[ ${#selected[@]} -gt 0 ] || selected=("${STAGES[@]}")
for name in "${selected[@]}"; do
    declare -F "stage_${name//[-.]/_}" >/dev/null || { echo "unknown stage: $name (see --list)" >&2; exit 2; }
done

banner "setup"
bash scripts/setup.sh
for name in "${selected[@]}"; do
    run_stage "$name"
done
summary 0
