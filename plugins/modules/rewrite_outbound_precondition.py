#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: rewrite_outbound_precondition
short_description: Manage one preCondition of the IIS URL Rewrite outbound rules
version_added: 0.1.0
description:
  - Creates, changes or removes one C(preCondition) of the C(outboundRules) section of a site, a site
    application or the server - the test of the request and response (for example the response's content
    type) that decides whether an outbound rule runs at all. An outbound rule names it in
    O(winflask.iis.rewrite_rule#module:precondition).
  - The task describes the whole preCondition; options not given take IIS's default, and a preCondition that
    differs is replaced in one write.
  - M(winflask.iis.rewrite_outbound_info) returns preConditions in this module's option shape.
options:
  name:
    description:
      - Name of the preCondition (IIS compares names case-insensitively). IIS attribute C(name).
    type: str
    required: true
  state:
    description:
      - V(present) creates or changes it, V(absent) removes it. A preCondition that an outbound rule of the
        same section names is not removed (the task fails and names the rules).
    type: str
    choices: [present, absent]
    default: present
  logical_grouping:
    description:
      - V(MatchAll) (every condition must match) or V(MatchAny). IIS attribute C(logicalGrouping); default C(MatchAll).
    type: str
  pattern_syntax:
    description:
      - Syntax of the condition patterns, C(ECMAScript), C(Wildcard) or C(ExactMatch) (case and underscores do
        not matter). The patterns are checked on the controller. IIS attribute C(patternSyntax); default C(ECMAScript).
    type: str
  conditions:
    description:
      - The conditions, in order. Two equal conditions are refused (IIS keys the collection by all five attributes).
    type: list
    elements: dict
    suboptions:
      input:
        description:
          - The text tested, usually a server variable such as C({RESPONSE_CONTENT_TYPE}). IIS attribute C(input).
        type: str
        required: true
      match_type:
        description:
          - C(Pattern), C(IsFile) or C(IsDirectory). IIS attribute C(matchType); default C(Pattern).
        type: str
      pattern:
        description:
          - The pattern O(conditions[].input) is matched against. IIS attribute C(pattern).
        type: str
      ignore_case:
        description:
          - Match case-insensitively. IIS attribute C(ignoreCase); default V(true).
        type: bool
      negate:
        description:
          - The condition holds when the pattern does not match. IIS attribute C(negate); default V(false).
        type: bool
  site:
    description:
      - The IIS site whose C(outboundRules) hold the preCondition (its C(web.config)). Omit for the server level
        (C(applicationHost.config)).
    type: str
  application:
    description:
      - Virtual path of an application of O(site) (C(/myApp)).
    type: str
extends_documentation_fragment:
  - winflask.iis.backup
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: windows
notes:
  - The module runs on the controller as an action plugin and reaches the host through
    M(ansible.windows.win_powershell), with one read and at most one write.
  - Only the outbound rules of the same section are looked at before a removal; rules of child scopes that use
    an inherited preCondition are not read.
seealso:
  - module: winflask.iis.rewrite_outbound_info
  - module: winflask.iis.rewrite_custom_tags
  - module: winflask.iis.rewrite_rule
author:
  - winflask.iis developers (@winflask)
"""

EXAMPLES = r"""
- name: Only HTML responses
  winflask.iis.rewrite_outbound_precondition:
    site: Default Web Site
    name: IsHTML
    conditions:
      - input: "{RESPONSE_CONTENT_TYPE}"
        pattern: ^text/html

- name: An outbound rule that uses it
  winflask.iis.rewrite_rule:
    site: Default Web Site
    direction: outbound
    name: FixLinks
    precondition: IsHTML
    match:
      filter_by_tags: [A, Img]
      pattern: ^http://localhost:50100/(.*)
    action:
      type: Rewrite
      value: /{R:1}
"""

RETURN = r"""
precondition:
  description: The preCondition after the task, in the module's option shape; null when absent.
  returned: success
  type: dict
  sample:
    name: IsHTML
    logical_grouping: MatchAll
    pattern_syntax: ECMAScript
    conditions: [{input: "{RESPONSE_CONTENT_TYPE}", match_type: Pattern, pattern: ^text/html, ignore_case: true,
                  negate: false}]
section:
  description: The config section.
  returned: success
  type: str
  sample: system.webServer/rewrite/outboundRules
file:
  description: The config file that holds the section at this scope.
  returned: success
  type: str
  sample: C:\inetpub\wwwroot\web.config
backups:
  description: Backup copies of the files the write changed.
  returned: changed and not check mode
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.winflask.iis.plugins.module_utils.rewrite.outbound import PRECONDITION_SPEC


def main():
    module = AnsibleModule(supports_check_mode=True, **PRECONDITION_SPEC.module_kwargs())
    module.fail_json(msg="winflask.iis.rewrite_outbound_precondition runs as an action plugin on the controller; "
                         "this file only holds its documentation.")


if __name__ == "__main__":
    main()
