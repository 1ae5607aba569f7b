"""Stand-in for ansible-test's get-pip bootstrap script, for machines without internet access.

``ansible-test sanity --venv`` bootstraps pip in each virtual environment it makes by running
``get-pip-<version>.py`` downloaded from ci-files.testing.ansible.com, unless a copy is cached at
``~/.ansible/test/cache/get_pip_<version>.py`` (ansible_test/_util/target/setup/requirements.py).
scripts/test.sh copies this file there. It installs pip with the interpreter's own ensurepip, then
runs ``pip install`` with the arguments ansible-test gave (e.g. ``pip==25.2``), dropping the
get-pip-only options ``--no-setuptools`` and ``--no-wheel``.
"""

import subprocess
import sys

GET_PIP_ONLY = {"--no-setuptools", "--no-wheel"}


def main() -> int:
    subprocess.run([sys.executable, "-m", "ensurepip", "--default-pip"], check=True,
                   stdout=subprocess.DEVNULL)
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY]
    return subprocess.run([sys.executable, "-m", "pip", "install", *args], check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
