#!/usr/bin/env bash
# What the build stage checks on the built tarball and its installed copy, beyond "it installs":
#
#   bash tests/build/ship_checks.sh TARBALL INSTALL_ROOT
#
# 1. tests/build/check_tarball.py: the tarball holds exactly the shipped files of the checkout.
# 2. galaxy-importer (Galaxy's and Automation Hub's import checks, offline; galaxy-importer.cfg).
# 3. a module from the installed copy (not the checkout) against a fresh emulated host.
# 4. ansible-builder create on meta/execution-environment.yml, and its introspection of the
#    installed collection (what any execution environment holding winflask.iis gets).
set -euo pipefail
tarball=$1
install_root=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
main="$root/.venv/main/bin"
export PATH="$main:$PATH"
installed="$install_root/ansible_collections/winflask/iis"
work=$(mktemp -d "${TMPDIR:-/tmp}/winflask-ship.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "--- the tarball's files"
"$main/python" "$here/check_tarball.py" "$tarball" --checkout "$root"

echo "--- galaxy-importer"
# The importer exits 0 on a failed import too, after an "ERROR:" line, so its log is checked.
# It writes importer_result.json into the current folder: run it in the scratch folder.
importer() {
    (cd "$work" && GALAXY_IMPORTER_CONFIG="$here/galaxy-importer.cfg" ANSIBLE_LOCAL_TEMP="$work/tmp" \
        "$main/python" -m galaxy_importer.main "$1" >"$2" 2>&1) || true
}
# galaxy.yml has no `repository` (there is no public one yet: docs/testing.md "Releasing"), which
# Galaxy requires before anything else: that must be the real tarball's one objection ...
importer "$tarball" "$work/importer-real.log"
if ! grep -q "^ERROR: .*Invalid collection metadata. 'repository' is required" "$work/importer-real.log" \
    && grep -q '^ERROR' "$work/importer-real.log"; then
    cat "$work/importer-real.log"; echo "FAIL: galaxy-importer failed on $tarball" >&2; exit 1
fi
# ... and every other check passes on a copy with a stand-in repository URL (never shipped).
"$main/python" "$here/with_repository.py" "$tarball" "$work/$(basename "$tarball")"
importer "$work/$(basename "$tarball")" "$work/importer.log"
if grep -E '^(ERROR|WARNING)' "$work/importer.log" >&2; then
    echo "FAIL: galaxy-importer reported the errors or warnings above" >&2
    exit 1
fi
grep -q '^Removing temporary directory\|^Importing with galaxy-importer' "$work/importer.log" && \
    grep -q '^Loading role' "$work/importer.log" || {
    tail -20 "$work/importer.log"; echo "FAIL: galaxy-importer did not complete" >&2; exit 1; }
echo "galaxy-importer: $(grep -c '^Loading' "$work/importer.log") items loaded, no error or warning" \
    "(the real tarball's only objection: no repository URL)"

echo "--- a module from the installed copy against a fresh emulated host"
"$main/python" -m winhost create --profile server2022 --root "$work/host" >/dev/null
# Only the install root and the stand-in ansible.windows: the checkout's .build/collections link
# is not on the path, so the module can only come from the installed copy.
WINFLASK_EMULATOR_ROOT="$work/host" ANSIBLE_COLLECTIONS_PATH="$install_root:$root/tests/emulator/collections" \
    ANSIBLE_LOCAL_TEMP="$work/tmp" ANSIBLE_NOCOLOR=1 \
    "$main/ansible" windows -i "$root/tests/integration/inventory.emulated.yml" -m winflask.iis.host_info \
    -vvvvv >"$work/host_info.log" 2>&1 || { cat "$work/host_info.log"; echo "FAIL: host_info failed" >&2; exit 1; }
grep -q '"installed": true' "$work/host_info.log" || {
    tail -40 "$work/host_info.log"; echo "FAIL: host_info did not report the emulated host's IIS" >&2; exit 1; }
# ansible -vvvvv names the folder each collection is loaded from: it must be the installed copy.
loaded=$(grep -F "Loading collection winflask.iis from" "$work/host_info.log" | sort -u)
[ "$loaded" = "Loading collection winflask.iis from $installed" ] || {
    echo "FAIL: winflask.iis did not run from $installed: ${loaded:-no collection loaded}" >&2; exit 1; }
echo "winflask.iis.host_info ran from $installed"

echo "--- ansible-builder create (no container engine: the build context is the check)"
# ansible-builder reads the definition's paths relative to its folder, and introspection reads
# them relative to the collection root: so the definition sits at a copy of the collection root.
mkdir -p "$work/ee/meta"
cp "$installed/meta/ee-requirements.txt" "$installed/meta/ee-bindep.txt" "$work/ee/meta/"
cp "$installed/meta/execution-environment.yml" "$work/ee/execution-environment.yml"
"$main/ansible-builder" create -f "$work/ee/execution-environment.yml" -c "$work/ee/context" \
    --output-filename Containerfile >"$work/builder.log" 2>&1 || {
    cat "$work/builder.log"; echo "FAIL: ansible-builder create failed" >&2; exit 1; }
context="$work/ee/context"
for file in Containerfile _build/requirements.yml _build/requirements.txt _build/bindep.txt \
    _build/scripts/assemble _build/scripts/introspect.py; do
    [ -s "$context/$file" ] || { echo "FAIL: $file missing from the build context" >&2; exit 1; }
done
grep -q 'name: ansible.windows' "$context/_build/requirements.yml" || {
    echo "FAIL: ansible.windows not in the context's galaxy requirements" >&2; exit 1; }
for package in 'pywinrm\[kerberos,credssp\]' 'pypsrp\[kerberos,credssp\]'; do
    grep -q "^$package" "$context/_build/requirements.txt" || {
        echo "FAIL: $package not in the context's Python requirements" >&2; exit 1; }
done
grep -q '^ARG EE_BASE_IMAGE="registry.access.redhat.com/ubi9/ubi:latest"' "$context/Containerfile" || {
    echo "FAIL: the Containerfile does not start from the base image" >&2; exit 1; }
# What an execution environment that installs winflask.iis gets from it (ansible-builder's
# introspection of the installed collection, as it runs inside the image build).
"$main/ansible-builder" introspect --sanitize "$install_root" >"$work/introspect.log" 2>&1 || {
    cat "$work/introspect.log"; echo "FAIL: ansible-builder introspect failed" >&2; exit 1; }
grep -q 'pywinrm\[kerberos,credssp\].*# from collection winflask.iis' "$work/introspect.log" \
    && grep -q 'krb5-devel.*# from collection winflask.iis' "$work/introspect.log" || {
    cat "$work/introspect.log"; echo "FAIL: introspection did not find winflask.iis' requirements" >&2; exit 1; }
echo "ansible-builder: build context with $(find "$context" -type f | wc -l) files; introspection finds winflask.iis' requirements"
