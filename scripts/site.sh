#!/usr/bin/env bash
# Run the whole job, `ansible-playbook winflask.iis.site`, after scripts/setup.sh.
#
#   bash scripts/site.sh                      against the emulated Windows Server 2022 host in
#                                             .build/emulated-host (created when missing;
#                                             WINFLASK_FRESH_HOST=1 starts from a new one)
#                                             The app it deploys keeps running afterwards (a real
#                                             waitress process on 127.0.0.1:50100, the nssm service's);
#                                             stop it with `.venv/main/bin/python -m winhost stop-all
#                                             --root .build/emulated-host`. A fresh host stops the
#                                             previous host's processes first.
#   bash scripts/site.sh INVENTORY [ARGS...]  against the real hosts of INVENTORY, with the real
#                                             ansible.windows collection from .venv/main
#
# Any further arguments (or all of them, when the first starts with '-') go to ansible-playbook,
# e.g. `bash scripts/site.sh --check --diff`.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

inventory=""
emulated=""
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
    [ -e "$1" ] || { echo "site: inventory '$1' not found" >&2; exit 2; }
    inventory=$(realpath "$1")
    shift
fi

cd "$WINFLASK_ROOT"
bash scripts/setup.sh
MAIN="$WINFLASK_ROOT/.venv/main/bin"
export PATH="$MAIN:$PATH"

if [ -z "$inventory" ]; then
    host=${WINFLASK_EMULATOR_ROOT:-$WINFLASK_ROOT/.build/emulated-host}
    if [ -f "$host/state.json" ]; then
        if [ -n "${WINFLASK_FRESH_HOST:-}" ]; then
            # The previous host's app (a real process) must not outlive it, nor hold its port.
            "$MAIN/python" -m winhost stop-all --root "$host" >&2
        else
            # Services whose app process has ended (e.g. this machine restarted) show stopped.
            "$MAIN/python" -m winhost processes --root "$host" >/dev/null
        fi
    fi
    if [ -n "${WINFLASK_FRESH_HOST:-}" ]; then
        rm -rf "$host"
    fi
    if [ ! -f "$host/state.json" ]; then
        rm -rf "$host"
        echo "site: creating a bare emulated Windows Server 2022 host (no IIS yet) in $host" >&2
        "$MAIN/python" -m winhost create --profile server2022 --root "$host" --bare
    else
        echo "site: using the emulated Windows host in $host" >&2
    fi
    export WINFLASK_EMULATOR_ROOT="$host"
    emulated=1
    # The stand-in ansible.windows (Python modules that act on the emulated host) comes first.
    export ANSIBLE_COLLECTIONS_PATH="$WINFLASK_STAND_IN:$WINFLASK_COLLECTIONS"
    inventory="$WINFLASK_ROOT/tests/integration/inventory.emulated.yml"
else
    # Real hosts: only the collection itself here; ansible.windows comes from the `ansible`
    # package in .venv/main (ansible always searches the ansible_collections of its Python).
    export ANSIBLE_COLLECTIONS_PATH="$WINFLASK_COLLECTIONS"
fi

if [ -z "$emulated" ]; then
    exec "$MAIN/ansible-playbook" -i "$inventory" winflask.iis.site "$@"
fi
# The emulated nssm.cc serves a stand-in zip: the nssm role must expect its checksums.
rc=0
"$MAIN/ansible-playbook" -i "$inventory" winflask.iis.site -e "$("$MAIN/python" -m winhost extra-vars)" "$@" || rc=$?
echo "site: processes the emulated host keeps running ON PURPOSE (the app answers on 127.0.0.1):" >&2
"$MAIN/python" -m winhost processes --root "$WINFLASK_EMULATOR_ROOT" >&2
echo "site: stop them with: $MAIN/python -m winhost stop-all --root $WINFLASK_EMULATOR_ROOT" >&2
if [ "$rc" = 0 ]; then
    # The emulated IIS serves each site binding on a loopback port of its own (docs/emulator.md).
    site_url=$("$MAIN/python" -m winhost ports --start --root "$WINFLASK_EMULATOR_ROOT" 2>/dev/null |
        awk -F'\t' '$1 == "Default Web Site" && $3 ~ /^http:/ { print $3; exit }')
    if [ -n "$site_url" ]; then
        echo "site: the app through the emulated IIS (Default Web Site, binding *:80): ${site_url}myApp/"
    fi
fi
exit "$rc"
