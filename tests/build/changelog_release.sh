#!/usr/bin/env bash
# The release step on a scratch copy: `antsibull-changelog release` must generate CHANGELOG.rst
# with every module and role of the collection listed (the checkout is not touched).
#
#   bash tests/build/changelog_release.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
main="$root/.venv/main/bin"
export PATH="$main:$PATH"
work=$(mktemp -d "${TMPDIR:-/tmp}/winflask-changelog.XXXXXX")
trap 'rm -rf "$work"' EXIT
# antsibull-changelog runs ansible-doc on the collection: it must sit under ansible_collections/.
copy="$work/ansible_collections/winflask/iis"
mkdir -p "$copy"
(cd "$root" && git ls-files -z --cached --others --exclude-standard -- galaxy.yml changelogs plugins roles \
    playbooks meta | xargs -0 cp --parents -t "$copy")
version=$(sed -n 's/^version: *//p' "$root/galaxy.yml")
(cd "$copy" && ANSIBLE_COLLECTIONS_PATH="$work" antsibull-changelog release --version "$version" \
    --date 2026-01-01) >"$work/release.log" 2>&1 || { cat "$work/release.log"; exit 1; }
log="$copy/CHANGELOG.rst"
[ -s "$log" ] || { echo "FAIL: antsibull-changelog release wrote no CHANGELOG.rst" >&2; exit 1; }
missing=0
for module in "$copy"/plugins/modules/*.py; do
    name=$(basename "$module" .py)
    grep -q "^- winflask.iis.$name - " "$log" || { echo "FAIL: module $name not in CHANGELOG.rst" >&2; missing=1; }
done
for role in "$copy"/roles/*/; do
    name=$(basename "$role")
    grep -q "^- winflask.iis.$name - " "$log" || { echo "FAIL: role $name not in CHANGELOG.rst (version_added in its argument_specs?)" >&2; missing=1; }
done
for section in "v$version" "New Modules" "New Roles"; do
    grep -q "^$section\$" "$log" || { echo "FAIL: no '$section' in CHANGELOG.rst" >&2; missing=1; }
done
[ "$missing" = 0 ] || { cat "$log"; exit 1; }
echo "antsibull-changelog release $version: CHANGELOG.rst lists $(grep -c '^- winflask.iis\.' "$log") modules, roles and playbooks"
