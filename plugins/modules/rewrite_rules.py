#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: rewrite_rules
short_description: Hold the exact, ordered list of IIS URL Rewrite rules of a scope
version_added: 0.1.0
description:
  - Makes the rules stored at a scope (a site, a site application or the server; inbound or outbound) exactly
    O(rules), in that order. Rules not listed are removed; rules inherited from a parent level are left alone.
  - Each rule is described whole, with IIS's defaults for the options not given, so the output of
    M(winflask.iis.rewrite_rule_info) can be fed back unchanged.
  - One read and at most one write per task, whatever the number of rules. Unchanged rules that already stand in
    the right relative order stay; the others are removed and added at their place.
  - Every rule is checked on the controller first, as in M(winflask.iis.rewrite_rule).
options:
  rules:
    description:
      - The rules, in the order IIS runs them. An empty list removes every rule stored at the scope.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description:
          - Name of the rule, unique in its collection (IIS compares names case-insensitively).
          - IIS attribute C(name).
        type: str
        required: true
      enabled:
        description:
          - Whether IIS runs the rule. IIS attribute C(enabled); IIS default V(true).
        type: bool
      pattern_syntax:
        description:
          - Syntax of O(rules[].match.url) (inbound) or O(rules[].match.pattern) (outbound) and of the condition
            patterns.
          - One of C(ECMAScript) (regular expression), C(Wildcard) (C(*) captures a back-reference, C(?) does not)
            or C(ExactMatch). Case and underscores do not matter (V(exact_match) works); the schema name is written.
          - The pattern is checked on the controller before anything is written.
          - IIS attribute C(patternSyntax); IIS default C(ECMAScript).
        type: str
      stop_processing:
        description:
          - Stop evaluating the rules that follow when this rule matches.
          - IIS attribute C(stopProcessing); IIS default V(false).
        type: bool
      precondition:
        description:
          - Outbound rules only. Name of a C(preCondition) defined in the C(outboundRules) section at this scope
            (for example one that checks the response content type). It must exist.
          - IIS attribute C(preCondition); IIS default empty.
        type: str
      match:
        description:
          - What the rule matches. Inbound rules use O(rules[].match.url); outbound rules use
            O(rules[].match.pattern) with O(rules[].match.server_variable) or O(rules[].match.filter_by_tags).
        type: dict
        suboptions:
          url:
            description:
              - Inbound rules. Pattern matched against the URL path, relative to the rule's scope and without
                the leading slash and query string (site rules see C(content/default.aspx)).
                - Empty or omitted - the rule has no pattern, as IIS loads a rule without C(<match>) or without
                C(url); no C(url) attribute is written (IIS refuses C(url="")).
              - Captures are available as C({R:0}) (whole match) to C({R:9}).
              - IIS attribute C(match/@url).
            type: str
          pattern:
            description:
              - Outbound rules. Pattern matched against the response header or tag attribute.
            type: str
          server_variable:
            description:
              - Outbound rules. The response header (as server variable C(RESPONSE_<Name>), for example
                C(RESPONSE_Location)) to rewrite.
            type: str
          filter_by_tags:
            description:
              - Outbound rules. HTML tags whose URL attributes are rewritten (C(A), C(Area), C(Base), C(Form),
                C(Frame), C(Head), C(IFrame), C(Img), C(Input), C(Link), C(Script), C(CustomTags)).
            type: list
            elements: str
          custom_tags:
            description:
              - Outbound rules. Name of a custom tags collection, used with C(CustomTags) in
                O(rules[].match.filter_by_tags). Without C(CustomTags) IIS keeps and ignores it (a warning).
            type: str
          occurrences:
            description:
              - Outbound rules. How many matches to rewrite; IIS default V(0) (all).
            type: int
          ignore_case:
            description:
              - Match case-insensitively. IIS default V(true).
            type: bool
          negate:
            description:
              - Match when the pattern does NOT match (then only C({R:0}) exists). IIS default V(false).
            type: bool
      conditions:
        description:
          - Further checks, in order, each on an input string such as C({HTTP_HOST}) or C({REQUEST_FILENAME}).
          - Captures of the last matched condition are C({C:0}) to C({C:9}) (of all conditions with
            O(rules[].track_all_captures)).
        type: list
        elements: dict
        suboptions:
          input:
            description:
              - Input string, with server variables and back-references (C({HTTPS}), C({R:1})).
                - V('') with C(IsFile)/C(IsDirectory) tests the requested file's physical path.
            type: str
            required: true
          match_type:
            description:
              - C(Pattern) (IIS default), C(IsFile) or C(IsDirectory) (the last two only in site or application rules).
            type: str
          pattern:
            description:
              - Pattern (in the rule's O(rules[].pattern_syntax)) for C(match_type=Pattern).
            type: str
          ignore_case:
            description:
              - IIS default V(true).
            type: bool
          negate:
            description:
              - IIS default V(false).
            type: bool
      logical_grouping:
        description:
          - C(MatchAll) (IIS default; every condition must match) or C(MatchAny).
          - IIS attribute C(conditions/@logicalGrouping).
        type: str
      track_all_captures:
        description:
          - Keep the captures of every condition for C({C:n}) instead of only the last one.
          - IIS attribute C(conditions/@trackAllCaptures); IIS default V(false) for inbound rules,
            V(true) for outbound rules.
        type: bool
      server_variables:
        description:
          - Inbound rules only. Server variables (and request headers, as C(HTTP_<NAME>)) the rule sets when it matches.
          - In site or application rules each name must be allowed for the site (see M(winflask.iis.server_variable)),
            else IIS answers HTTP 500.50; the task fails before writing unless the name is allowed on the host,
            O(allow_server_variables=true), or (in check mode, where nothing was written) an earlier
            M(winflask.iis.server_variable) task of the same playbook run allowed it.
        type: list
        elements: dict
        suboptions:
          name:
            description:
              - Variable name (letters, digits, C(_)), for example C(HTTP_X_ORIGINAL_HOST).
            type: str
            required: true
          value:
            description:
              - Value, with server variables and back-references (C({HTTP_HOST})). IIS default empty.
            type: str
          replace:
            description:
              - Overwrite a value the variable already has. IIS default V(true).
            type: bool
      action:
        description:
          - What the rule does when it matches.
        type: dict
        suboptions:
          type:
            description:
              - An option the type does not use (C(url) on a C(CustomResponse)) is written and compared
                like any other, as IIS keeps it, with a warning.
              - Inbound rules - C(None) (IIS default), C(Rewrite), C(Redirect), C(CustomResponse) or C(AbortRequest).
              - Outbound rules - C(None) (IIS default) or C(Rewrite).
              - Case and underscores do not matter (V(custom_response)); the schema name is written.
              - A C(Rewrite) to an absolute C(http://) URL is proxied by ARR (see M(winflask.iis.arr_proxy)).
            type: str
          url:
            description:
              - Target of a C(Rewrite) or C(Redirect) (a warning when empty), with back-references such as C({R:1}).
              - A C(Rewrite) whose target host comes from the request (C(http://{HTTP_HOST}/...), C(http://{R:1}/...))
                is refused unless O(allow_open_proxy=true).
            type: str
          append_query_string:
            description:
              - Append the request's query string to the target. IIS default V(true).
            type: bool
          log_rewritten_url:
            description:
              - Log the rewritten URL instead of the original one. Not available for server-level (global) rules.
                IIS default V(false).
            type: bool
          redirect_type:
            description:
              - Status of a C(Redirect) - V(301)/C(Permanent) (IIS default), V(302)/C(Found), V(303)/C(SeeOther) or
                V(307)/C(Temporary). The name is written. URL Rewrite has no 308.
            type: str
          status_code:
            description:
              - Status code of a C(CustomResponse), 100 to 999 (others warn); IIS refuses 300 to 307.
            type: int
          sub_status_code:
            description:
              - Sub-status of a C(CustomResponse), 0 to 999. IIS default V(0).
            type: int
          status_reason:
            description:
              - Reason phrase of a C(CustomResponse).
            type: str
          status_description:
            description:
              - Body text of a C(CustomResponse).
            type: str
          value:
            description:
              - Outbound rules. The replacement value, with back-references.
            type: str
          replace:
            description:
              - Outbound rules. Replace the existing value. IIS default V(true).
            type: bool
  allow_server_variables:
    description:
      - Add the server variables the rules set to the allowed list of the scope (C(allowedServerVariables) in
        C(applicationHost.config), under C(<location path="Site">) for a site) in the same write, instead of
        failing when one is not allowed.
    type: bool
    default: false
  allow_open_proxy:
    description:
      - Accept a C(Rewrite) whose target scheme, host or port the client can choose. With ARR that forwards
        requests to any host the client names (an open proxy). Set it only if you mean it.
      - Without it a C(Rewrite) target must be relative (C(/app/{R:1}), C({URL}/index.php), C({R:1}) of a
        capture group that cannot match C(/)) or have a fixed host (C(http://localhost:50100/{R:1}), with
        C({SERVER_PORT}) as the port if wanted). Request headers, C({QUERY_STRING}), C({REQUEST_URI}),
        C({UNENCODED_URL}), C({CACHE_URL}), captures of request input (C({R:1}), C({C:1})) and string
        functions over them are refused at the start of the target and in its host part.
      - A rewrite map lookup (C({Backends:{HTTP_HOST}})) is checked against every value and the default value
        of the map, read in the same call as the rules; a map that is not defined at the scope is refused.
      - Redirects are not checked.
    type: bool
    default: false
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - winflask.iis.rewrite_scope
  - winflask.iis.backup
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: The list of rules before and after, as YAML.
  platform:
    platforms: windows
notes:
  - The module runs on the controller as an action plugin and reaches the host through
    M(ansible.windows.win_powershell); PowerShell 5.1 and Microsoft.Web.Administration are used on the host.
  - One read of the host per task, and one write (one commit, after a backup copy of the files) only when
    something changes, whatever the number of rules.
  - URL Rewrite 2.1 must be installed; without it the task fails saying so and nothing is changed.
seealso:
  - module: winflask.iis.rewrite_rule
  - module: winflask.iis.rewrite_rule_info
  - module: winflask.iis.server_variable
author:
  - winflask.iis developers (@winflask)
"""

EXAMPLES = r"""
- name: The site's rules, exactly these, in this order
  winflask.iis.rewrite_rules:
    site: Default Web Site
    allow_server_variables: true
    rules:
      - name: Redirect to HTTPS
        match:
          url: (.*)
        conditions:
          - input: "{HTTPS}"
            pattern: ^OFF$
        action:
          type: Redirect
          url: https://{HTTP_HOST}/{R:1}
      - name: ReverseProxyInboundRule1
        stop_processing: true
        match:
          url: (.*)
        server_variables:
          - name: HTTP_X_ORIGINAL_HOST
            value: "{HTTP_HOST}"
        action:
          type: Rewrite
          url: http://localhost:50100/{R:1}

- name: Copy the rules of one site to another
  winflask.iis.rewrite_rule_info:
    site: Default Web Site
  register: source

- name: Same rules on the staging site
  winflask.iis.rewrite_rules:
    site: Staging
    rules: "{{ source.rules }}"
    allow_server_variables: true
"""

RETURN = r"""
rules:
  description: The rules stored at the scope after the task, in order, in the module's option shape.
  returned: success
  type: list
  elements: dict
  sample:
    - name: ReverseProxyInboundRule1
      stop_processing: true
      match: {url: (.*), ignore_case: true, negate: false}
inherited_rules:
  description: Names of the rules inherited from parent levels (they run first and are not managed here).
  returned: success
  type: list
  elements: str
  sample: []
operations:
  description: Number of config operations the task made (or would make in check mode).
  returned: success
  type: int
  sample: 2
file:
  description: The config file that holds the rules at this scope.
  returned: success
  type: str
  sample: C:\inetpub\wwwroot\web.config
section:
  description: The config section of the rules.
  returned: success
  type: str
  sample: system.webServer/rewrite/rules
server_variables_allowed:
  description: Server variables the task added to the allowed list (with O(allow_server_variables)).
  returned: success
  type: list
  elements: str
  sample: [HTTP_X_ORIGINAL_HOST]
backups:
  description: Backup copies of the config files written, made on the host before the change.
  returned: changed and not check mode
  type: list
  elements: str
  sample: ['C:\ProgramData\winflask\backup\20261130-101500-123\web.config']
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.winflask.iis.plugins.module_utils.rewrite_rule import RULES_SPEC


def main():
    module = AnsibleModule(supports_check_mode=True, **RULES_SPEC.module_kwargs())
    module.fail_json(msg="winflask.iis.rewrite_rules runs as an action plugin on the controller; "
                         "this file only holds its documentation.")


if __name__ == "__main__":
    main()
