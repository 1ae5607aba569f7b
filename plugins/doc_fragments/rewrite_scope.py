# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where URL Rewrite rules live: the scope options of rewrite_rule, rewrite_rules and rewrite_rule_info."""


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  site:
    description:
      - The IIS site whose rules are managed (its C(web.config)). Omit for the server level, where inbound rules
        are C(globalRules) and outbound rules are C(outboundRules) in C(applicationHost.config).
      - A site that does not exist fails the task.
    type: str
  application:
    description:
      - Virtual path of an application of O(site) (C(/myApp)); its C(web.config) holds the rules.
    type: str
  direction:
    description:
      - V(inbound) for request rules (C(rules), or C(globalRules) at the server level), V(outbound) for
        response rewriting rules (C(outboundRules)).
    type: str
    choices: [inbound, outbound]
    default: inbound
  server_rules:
    description:
      - Server level inbound rules only (no O(site), O(direction=inbound)). V(global) manages C(globalRules),
        which run first, before the site is chosen, on the whole URL path. V(distributed) manages the
        distributed C(rules) at the root of C(applicationHost.config), which every site inherits and runs
        before its own rules, on the URL path without its leading slash (Microsoft, "URL Rewrite Module
        Configuration Reference", "Rules scope"; "Using Global and Distributed Rewrite Rules").
      - Distributed rules may set only allowed server variables (the server level list,
        M(winflask.iis.server_variable) without O(site)); they can use C(IsFile)/C(IsDirectory) conditions.
      - A site's rules cannot take the name of a distributed server rule (it is inherited there).
    type: str
    choices: [global, distributed]
    default: global
"""
