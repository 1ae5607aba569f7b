#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: rewrite_rule_test
short_description: See what IIS URL Rewrite will do with requests, before a request is sent
version_added: 0.1.0
description:
  - Evaluates URL Rewrite 2.1 inbound rules against requests as IIS does, on the controller, and returns for
    each request which rules matched, their back-references, where the request goes (rewrite, proxy through
    ARR, redirect, custom response, abort), the server variables the rules set and the request headers they
    produce.
  - A request that gives O(requests[].response_headers) also goes through the outbound rules of its path, as
    URL Rewrite 2.x runs them on response headers; its result shows the headers after them and the outbound
    rules that matched.
  - The rules come either from a host (O(site), O(application)), the effective global and distributed rules,
    allowed server variables and rewrite maps read in one call, or from the config files' text (O(config)),
    with no call to any host, so that the task runs with C(delegate_to) V(localhost) and needs no Windows.
  - A request with O(requests[].expect) fails the task when the result differs; a play can guard a deploy
    with it. The module changes nothing, in check mode and outside it.
  - The engine's behaviours, each with the Microsoft documentation it follows, and what only a real host can
    tell are listed in the collection's C(docs/rewrite-engine.md).
options:
  site:
    description:
      - The IIS site whose effective rules are read from the host (without O(config)).
      - With O(config), no host is called; O(site) then chooses the C(<location path="Site">) and
        C(<location path="Site/folder">) elements of the C(applicationHost.config) text that apply.
    type: str
  application:
    description:
      - Virtual path of an application of O(site) (C(/myApp)). The rules of the site root and of the application,
        as IIS merges them for the application (its C(<remove>) and C(<clear/>) applied).
      - Cannot be used with O(config), where each folder is a level of its own.
    type: str
  config:
    description:
      - The config files, parent first. Rules, rewrite maps and allowed server variables are merged as IIS merges
        them; each level's C(<clear/>) and C(<remove>) take away what the levels above defined.
      - Refused, naming the level, because they cannot be evaluated here. A section with C(configSource) (inline
        the file it names), a C(<location path="sub">) in a web.config, custom rewrite providers,
        C(useOriginalURLEncoding="false"), a path that does not lie below the one before it, and without O(site)
        the C(<location path="Some Site">) elements of C(applicationHost.config) that hold rewrite settings.
      - C(<outboundRules>) (with their C(<preConditions>)) are merged over the levels like C(<rules>) and run for
        a request with O(requests[].response_headers) below the folder of each level; rules on the response body
        (C(filterByTags)) fail only such a request, naming the rule.
      - A web.config's C(<location path=".">) (what ASP.NET Core's publish writes) is that level itself.
      - Without a V(MACHINE/WEBROOT/APPHOST) level the allowed server variables are unknown and not checked; with
        it, a distributed rule that sets a variable not allowed gives the HTTP 500.50 result IIS answers.
    type: list
    elements: dict
    suboptions:
      path:
        description:
          - V(MACHINE/WEBROOT/APPHOST) for the text of C(applicationHost.config) (C(globalRules), the root
            C(<rules>), C(allowedServerVariables), C(rewriteMaps) and the C(<location>) elements of O(site)),
            otherwise the URL path of the folder the C(web.config) sits in (V(/), V(/blog)).
        type: str
        required: true
      xml:
        description:
          - The file's text as it is on disk, a whole C(<configuration>) document (byte order mark, XML
            declaration and comments allowed). A DOCTYPE or entity declaration is refused.
        type: str
        required: true
  requests:
    description:
      - The requests to evaluate, in order.
    type: list
    elements: dict
    required: true
    suboptions:
      url:
        description:
          - Path and query string as the client sends them (V(/myApp/help?x=1)).
        type: str
        required: true
      host:
        description:
          - The Host header (C({HTTP_HOST})); V(localhost) when not given.
        type: str
      https:
        description:
          - Whether the request came over TLS (C({HTTPS}) V(ON)); false when not given.
        type: bool
      port:
        description:
          - The server port (C({SERVER_PORT})); 443 with O(requests[].https), else 80, when not given.
        type: int
      headers:
        description:
          - Request headers by name; each is the server variable C(HTTP_<NAME>) (dashes to underscores).
        type: dict
      server_variables:
        description:
          - Server variables to set or override by name (C(REMOTE_PORT), C(HTTP_X_FORWARDED_FOR), ...).
        type: dict
      files:
        description:
          - The files that exist, for C(IsFile) conditions, as URL paths (V(/static/app.css)) or physical paths
            below C(C:\inetpub\wwwroot).
        type: list
        elements: str
      dirs:
        description:
          - The folders that exist, for C(IsDirectory) conditions, as O(requests[].files).
          - With O(site), the rules of a folder below the application that the request lies in and lists here as
            a URL path (V(/myApp/blog)) are read too, in the same call (at most 50 distinct folders per task).
        type: list
        elements: str
      remote_addr:
        description:
          - The client's address (C({REMOTE_ADDR})); V(127.0.0.1) when not given.
        type: str
      response_headers:
        description:
          - The response headers by name as they leave the back end or IIS, before the outbound rules, for
            example C(Content-Type) and C(Location); an empty dictionary for a response with none of interest.
            An integer is its decimal text; each name once, in any case (header names are case-insensitive).
          - After an AbortRequest or the 500.50 error of a server variable not allowed there is no response, so
            no outbound rule runs and RV(results[].response_headers) is empty.
          - When given, the outbound rules of the request's path run on them, after the inbound rules, and see
            the server variables as the inbound rules left them; the response status, for a C({RESPONSE_STATUS})
            pre-condition, is O(requests[].server_variables) C(RESPONSE_STATUS).
          - When not given, no outbound rule is read or run and the result has no RV(results[].response_headers).
          - A rule the engine cannot evaluate (one on the response body, C(filterByTags) or C(customTags), a
            file check, C(occurrences)) fails the task naming the request, the rule and why.
        type: dict
      expect:
        description:
          - What the result must hold, in the shape of RV(results) (without C(url)). Only the keys given are
            compared, in nested dictionaries too; lists compare whole and in order; request header, response
            header and server variable names compare case-insensitively; in those three dictionaries a null
            value expects the name to be absent (C(Server) set to C(null) under C(response_headers)).
          - When a request does not meet it, the task fails with a message naming the request and each
            difference; RV(results) is still returned.
        type: dict
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: The module only reads (or calls no host at all); it gives the same answer in check mode.
  diff_mode:
    support: none
  platform:
    platforms: windows
    details: With O(config) no host is used; the task can run on the controller (C(delegate_to) V(localhost)).
notes:
  - The module runs on the controller as an action plugin. With O(site) it reaches the host through
    M(ansible.windows.win_powershell), with one read.
  - The rules are evaluated as for a request to O(site) (O(application)); a request outside the application's
    folder still sees the site root's rules as the application has them.
  - With O(site), folders below the application are read only when a request lists them in O(requests[].dirs),
    since the host refuses to read a URL path that has no physical folder (a routed URL).
  - With O(site), the outbound rules are read, in the same call, only when a request gives
    O(requests[].response_headers), at the folder each such request lies in (not at other requests' folders).
seealso:
  - module: winflask.iis.rewrite_rule
  - module: winflask.iis.rewrite_rule_info
  - module: winflask.iis.rewrite_outbound_info
  - module: winflask.iis.server_variable
  - name: URL Rewrite Module Configuration Reference
    description: How IIS evaluates rules, the source of the engine's behaviour.
    link: https://learn.microsoft.com/iis/extensions/url-rewrite-module/url-rewrite-module-configuration-reference
author:
  - winflask.iis developers (@winflask)
"""

EXAMPLES = r"""
- name: See where the reverse proxy rule sends a request (from the web.config text, no Windows needed)
  winflask.iis.rewrite_rule_test:
    config:
      - path: /
        xml: |
          <?xml version="1.0" encoding="UTF-8"?>
          <configuration>
            <system.webServer>
              <rewrite>
                <rules>
                  <rule name="ReverseProxyInboundRule1" stopProcessing="true">
                    <match url="(.*)" />
                    <serverVariables>
                      <set name="HTTP_X_ORIGINAL_HOST" value="{HTTP_HOST}" />
                    </serverVariables>
                    <action type="Rewrite" url="http://127.0.0.1:50100/{R:1}" />
                  </rule>
                </rules>
              </rewrite>
            </system.webServer>
          </configuration>
    requests:
      - url: /myApp/help?x=1
        host: www.example.com
        expect:
          final:
            type: Rewrite
            url: http://127.0.0.1:50100/myApp/help?x=1
            proxy: true
          request_headers:
            X-Original-Host: www.example.com
  delegate_to: localhost
  register: proxy_test

- name: Show where it went
  ansible.builtin.debug:
    msg: "{{ proxy_test.results[0].final.url }}"

- name: See what the outbound rules do to a redirect from the back end (HSTS added, Location made public)
  winflask.iis.rewrite_rule_test:
    config:
      - path: /
        xml: |
          <configuration>
            <system.webServer>
              <rewrite>
                <outboundRules>
                  <preConditions>
                    <preCondition name="IsRedirection">
                      <add input="{RESPONSE_STATUS}" pattern="^3\d\d$" />
                    </preCondition>
                  </preConditions>
                  <rule name="RewriteLocation" preCondition="IsRedirection">
                    <match serverVariable="RESPONSE_Location" pattern="^http://127\.0\.0\.1:50100/(.*)" />
                    <action type="Rewrite" value="https://{HTTP_HOST}/{R:1}" />
                  </rule>
                  <rule name="AddHsts">
                    <match serverVariable="RESPONSE_Strict_Transport_Security" pattern=".*" />
                    <conditions>
                      <add input="{HTTPS}" pattern="^on$" />
                    </conditions>
                    <action type="Rewrite" value="max-age=31536000" />
                  </rule>
                </outboundRules>
              </rewrite>
            </system.webServer>
          </configuration>
    requests:
      - url: /login
        host: www.example.com
        https: true
        server_variables:
          RESPONSE_STATUS: "302"
        response_headers:
          Location: http://127.0.0.1:50100/login?next=/
        expect:
          outbound_matched_rules: [RewriteLocation, AddHsts]
          response_headers:
            Location: https://www.example.com/login?next=/
            Strict-Transport-Security: max-age=31536000
            X-Powered-By: null
  delegate_to: localhost

- name: Guard a deploy with the rules the site really has (read from the host in one call)
  winflask.iis.rewrite_rule_test:
    site: Default Web Site
    requests:
      - url: /myApp/health
        https: true
        expect:
          final:
            type: Rewrite
            proxy: true
"""

RETURN = r"""
results:
  description: One result per request, in the order of O(requests).
  returned: always
  type: list
  elements: dict
  contains:
    url:
      description: The request's O(requests[].url).
      type: str
      sample: /myApp/help?x=1
    matched_rules:
      description: Names, in evaluation order, of the rules whose pattern and conditions succeeded.
      type: list
      elements: str
      sample: [ReverseProxyInboundRule1]
    captures:
      description: For each matched rule, its back-references as they stood when its action ran, C(R) (index N
        is C({R:N})) and C(C) (C({C:N})).
      type: dict
      sample: {ReverseProxyInboundRule1: {R: [myApp/help, myApp/help], C: []}}
    final:
      description:
        - What IIS does in the end. C(type) is V(Rewrite), V(Redirect), V(CustomResponse), V(AbortRequest),
          V(None), or V(Error) when IIS answers with an error of its own (C(status) 500, C(sub_status) 50, when a
          distributed rule set a server variable that is not allowed).
        - C(url) the expanded substitution with the query string appended as IIS appends it; C(rooted_url) a
          relative Rewrite resolved against the folder of the rule's web.config, a relative Redirect as the
          absolute Location IIS sends; C(status) the redirect or response status; C(proxy) true for a Rewrite to
          an absolute URL (handed to ARR). CustomResponse adds C(sub_status), C(reason) and C(description).
      type: dict
      sample: {type: Rewrite, url: "http://127.0.0.1:50100/myApp/help?x=1",
               rooted_url: "http://127.0.0.1:50100/myApp/help?x=1", status: null, proxy: true}
    server_variables:
      description: The server variables the matched rules set, by name.
      type: dict
      sample: {HTTP_X_ORIGINAL_HOST: www.example.com}
    request_headers:
      description: The request headers those server variables produce (C(HTTP_X_ORIGINAL_HOST) gives
        C(x-original-host)), lower case.
      type: dict
      sample: {x-original-host: www.example.com}
    response_headers:
      description: The response headers after the outbound rules, by name (as given, or as the rule that added
        one spells it). Only when O(requests[].response_headers) is given.
      returned: when O(requests[].response_headers) is given
      type: dict
      sample: {Location: "https://www.example.com/login?next=/", Strict-Transport-Security: max-age=31536000}
    outbound_matched_rules:
      description: Names, in evaluation order, of the outbound rules whose pre-condition, pattern and conditions
        succeeded. Only when O(requests[].response_headers) is given.
      returned: when O(requests[].response_headers) is given
      type: list
      elements: str
      sample: [RewriteLocation, AddHsts]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.winflask.iis.plugins.module_utils.rewrite_rule_test import SPEC


def main():
    module = AnsibleModule(supports_check_mode=True, **SPEC.module_kwargs())
    module.fail_json(msg="winflask.iis.rewrite_rule_test runs as an action plugin on the controller; "
                         "this file only holds its documentation.")


if __name__ == "__main__":
    main()
