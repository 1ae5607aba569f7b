# Test-only stand-in for ansible.windows.win_template (winflask.iis emulated Windows host).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: win_template
short_description: Render a template to the emulated Windows host
description:
  - Stand-in for C(ansible.windows.win_template), used only by the winflask.iis tests. As in the real
    collection, the work is done by the action plugin (C(plugins/action/win_template.py)); it renders on the
    controller (CRLF by default) and calls C(ansible.windows.win_copy). This file only documents it.
author:
  - winflask.iis developers
"""
