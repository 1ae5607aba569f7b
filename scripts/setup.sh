#!/usr/bin/env bash
# Set up everything the collection's scripts need, on a fresh Linux machine or an existing checkout.
#
#   .venv/main       newest Python >= 3.12 found, requirements.txt + requirements-test.txt
#                    (+ the emulated Windows host, tests/emulator, editable)
#   .venv/core-2.16  Python 3.11, requirements-core-2.16.txt (oldest ansible-core supported)
#                    (+ the emulated Windows host, editable)
#   .build/collections/ansible_collections/winflask/iis -> the repository (so ansible finds it)
#   tests/powershell/node_modules  (npm ci --ignore-scripts), when tests/powershell/package.json exists
#
# Idempotent and fast when nothing changed: each step writes a stamp keyed on the hashes of its
# inputs and is skipped while the stamp matches. Set WINFLASK_SETUP_FORCE=1 to redo every step.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

log() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: ERROR: %s\n' "$*" >&2; exit 1; }

# Print "major.minor" of a Python interpreter, or nothing if it does not run.
py_version() {
    "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true
}

# Candidate interpreters: PATH names, pyenv versions, the usual install prefixes.
python_candidates() {
    local name dir
    for name in python3.14 python3.13 python3.12 python3.11 python3; do
        command -v "$name" 2>/dev/null || true
    done
    if command -v pyenv >/dev/null 2>&1; then
        for name in $(pyenv versions --bare 2>/dev/null); do
            dir=$(pyenv prefix "$name" 2>/dev/null) || continue
            [ -x "$dir/bin/python" ] && echo "$dir/bin/python"
        done
    fi
    for dir in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/*/bin/python /usr/local/bin/python3.* /usr/bin/python3.*; do
        [ -x "$dir" ] && echo "$dir"
    done
}

# find_python MIN_MINOR MAX_MINOR: newest interpreter 3.MIN..3.MAX that can make a venv with pip.
find_python() {
    local min=$1 max=$2 best="" best_minor=-1 candidate version minor
    while read -r candidate; do
        [ -n "$candidate" ] || continue
        version=$(py_version "$candidate")
        case "$version" in 3.*) ;; *) continue ;; esac
        minor=${version#3.}
        if [ "$minor" -ge "$min" ] && [ "$minor" -le "$max" ] && [ "$minor" -gt "$best_minor" ] \
            && "$candidate" -c 'import venv, ensurepip' >/dev/null 2>&1; then
            best=$candidate
            best_minor=$minor
        fi
    done < <(python_candidates)
    # The real interpreter behind a pyenv shim or a symlink.
    [ -z "$best" ] || "$best" -c 'import sys; print(sys.executable)'
}

hash_files() {
    local file
    for file in "$@"; do
        if [ -f "$file" ]; then
            printf '%s %s\n' "$file" "$(sha256sum < "$file" | cut -d' ' -f1)"
        else
            printf '%s absent\n' "$file"
        fi
    done | sha256sum | cut -d' ' -f1
}

# make_venv DIR MIN_MINOR MAX_MINOR STAMP_KEY REQUIREMENT_FILES...
make_venv() {
    local dir=$1 min=$2 max=$3 key=$4
    shift 4
    local stamp="$dir/.winflask-setup-stamp" python version want
    if [ -x "$dir/bin/python" ]; then
        version=$(py_version "$dir/bin/python")
        if [ -z "$version" ] || [ "${version#3.}" -lt "$min" ] || [ "${version#3.}" -gt "$max" ]; then
            log "$dir has Python '${version:-broken}', wanted 3.$min..3.$max: recreating it"
            rm -rf "$dir"
        fi
    fi
    want="$key $(py_version "$dir/bin/python" 2>/dev/null)"
    if [ -z "${WINFLASK_SETUP_FORCE:-}" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        log "$dir is up to date"
        return
    fi
    if [ ! -x "$dir/bin/python" ]; then
        python=$(find_python "$min" "$max")
        [ -n "$python" ] || die "no Python 3.$min..3.$max with venv and ensurepip found on PATH or in pyenv \
(${PYENV_ROOT:-$HOME/.pyenv}/versions). Install one (e.g. 'pyenv install 3.13') and run again."
        log "creating $dir with $python ($(py_version "$python"))"
        "$python" -m venv "$dir"
    fi
    local args=()
    for file in "$@"; do args+=(-r "$file"); done
    if [ -f tests/emulator/pyproject.toml ]; then
        args+=(-e tests/emulator)
    fi
    log "installing into $dir: ${args[*]}"
    "$dir/bin/python" -m pip install --disable-pip-version-check -q "${args[@]}"
    echo "$key $(py_version "$dir/bin/python")" > "$stamp"
}

setup_venvs() {
    local emulator_key
    emulator_key=$(hash_files tests/emulator/pyproject.toml)
    make_venv .venv/main 12 99 \
        "$(hash_files requirements.txt requirements-test.txt)-$emulator_key" \
        requirements-test.txt
    make_venv .venv/core-2.16 11 11 \
        "$(hash_files requirements-core-2.16.txt)-$emulator_key" \
        requirements-core-2.16.txt
}

setup_collection_link() {
    local parent=.build/collections/ansible_collections/winflask
    mkdir -p "$parent"
    if [ "$(readlink "$parent/iis" 2>/dev/null)" != "$ROOT" ]; then
        rm -rf "$parent/iis"
        ln -s "$ROOT" "$parent/iis"
        log "linked $parent/iis -> $ROOT"
    fi
}

setup_npm() {
    local dir=tests/powershell
    [ -f "$dir/package.json" ] || { log "no $dir/package.json yet: skipping npm"; return; }
    command -v npm >/dev/null 2>&1 || die "npm not found: install Node.js (needed by $dir)"
    local stamp="$dir/node_modules/.winflask-setup-stamp" want
    want=$(hash_files "$dir/package.json" "$dir/package-lock.json")
    if [ -z "${WINFLASK_SETUP_FORCE:-}" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        log "$dir/node_modules is up to date"
        return
    fi
    log "installing node packages in $dir"
    if [ -f "$dir/package-lock.json" ]; then
        (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
    else
        (cd "$dir" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error)
    fi
    echo "$want" > "$stamp"
}

setup_venvs
setup_collection_link
setup_npm
command -v shellcheck >/dev/null 2>&1 \
    || log "note: shellcheck is not installed; ansible-test sanity will not check scripts/*.sh (apt-get install shellcheck)"
log "done"
