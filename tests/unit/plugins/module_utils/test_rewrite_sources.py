"""Where rewrite_rule_test's rules come from: config files' text (levels) and one config_read."""

from __future__ import annotations

from typing import Any

import pytest

from ansible_collections.winflask.iis.plugins.module_utils.config import APPHOST, ConfigRead
from ansible_collections.winflask.iis.plugins.module_utils.rewrite import model
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine import sources
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.errors import EngineError, Unsupported
from ansible_collections.winflask.iis.plugins.module_utils.rewrite_engine.evaluate import evaluate

from rewrite_host import APPHOST_FILE, SITE_FILE, allowed_section, rules_section, section
from rewrite_xml import PROXY_XML, WEB_CONFIG, config

SITE = "Default Web Site"


def apphost(rewrite: str = "", locations: str = "") -> str:
    return '\ufeff<?xml version="1.0" encoding="UTF-8"?>\n<!-- applicationHost -->\n' + config(rewrite, locations)


def location(path: str, rewrite: str) -> str:
    return f'<location path="{path}"><system.webServer><rewrite>{rewrite}</rewrite></system.webServer></location>'


def names(effective: sources.Effective) -> list[tuple[str, list[str]]]:
    return [(folder, [r["name"] for r in rules]) for folder, rules in effective.levels]


def rule(name: str, url: str = "(.*)", action: str = '<action type="None" />', **attrs: str) -> str:
    extra = "".join(f' {k}="{v}"' for k, v in attrs.items())
    return f'<rule name="{name}"{extra}><match url="{url}" />{action}</rule>'


ALLOW = '<allowedServerVariables><add name="HTTP_X_FORWARDED_PROTO" /></allowedServerVariables>'


def test_reverse_proxy_rule_from_a_web_config_with_bom_and_encoding_declaration():
    effective = sources.ruleset_from_xml([{"path": "/", "xml": WEB_CONFIG}])
    assert names(effective) == [("/", ["ReverseProxyInboundRule1"])]
    assert effective.allowed is None  # no applicationHost.config: the allow list is not known, not checked
    rule0 = effective.levels[0][1][0]
    assert rule0["stop_processing"] is True and rule0["conditions"][0]["input"] == "{CACHE_URL}"
    result = evaluate(effective.ruleset, {"url": "/myApp/help?x=1", "host": "www.example.com"})
    assert result["final"]["url"] == "http://127.0.0.1:50100/myApp/help?x=1" and result["final"]["proxy"] is True
    assert result["request_headers"]["x-original-host"] == "www.example.com"


def test_typed_attributes_and_enum_numbers():
    web = config('<rules><rule name="r" enabled="False" patternSyntax="1" stopProcessing="TRUE">'
                 '<match url="a*" ignoreCase="false" negate="false" />'
                 '<conditions logicalGrouping="1" trackAllCaptures="true">'
                 '<add input="{HTTP_HOST}" matchType="0" pattern="x" /></conditions>'
                 '<action type="3" statusCode="403" subStatusCode="7" /></rule></rules>')
    (folder, (got,)), = sources.ruleset_from_xml([{"path": "/", "xml": web}]).levels
    assert folder == "/"
    assert got["enabled"] is False and got["stop_processing"] is True and got["pattern_syntax"] == "Wildcard"
    assert got["match"]["ignore_case"] is False
    assert got["logical_grouping"] == "MatchAny" and got["track_all_captures"] is True
    assert got["conditions"][0]["match_type"] == "Pattern"
    assert got["action"]["type"] == "CustomResponse" and got["action"]["status_code"] == 403
    assert got["action"]["sub_status_code"] == 7


def test_apphost_globals_root_rules_locations_maps_and_allowed_variables():
    host = apphost(
        "<globalRules>" + rule("g1", "^old$", '<action type="Rewrite" url="new" />') + "</globalRules>"
        + "<rules>" + rule("root") + "</rules>"
        + '<allowedServerVariables><add name="HTTP_X_ORIGINAL_HOST" /></allowedServerVariables>'
        + '<rewriteMaps><rewriteMap name="Static" defaultValue="none" ignoreCase="false">'
          '<add key="/a" value="/b" /></rewriteMap></rewriteMaps>',
        location(SITE, ALLOW + "<rules>" + rule("site-loc") + "</rules>")
        + location(f"{SITE}/blog", "<rules>" + rule("blog-loc") + "</rules>")
        + location("Other Site", "<rules>" + rule("other") + "</rules>"))
    web = config("<rules>" + rule("site-web") + "</rules>")
    blog = config('<rules><remove name="SITE-LOC" />' + rule("blog-web") + "</rules>")
    effective = sources.ruleset_from_xml([{"path": APPHOST, "xml": host}, {"path": "/", "xml": web},
                                          {"path": "/blog", "xml": blog}], site=SITE.upper())
    assert [r["name"] for r in effective.global_rules] == ["g1"]
    # order: apphost root, <location path="Site">, the site's web.config, then /blog's location and web.config;
    # /blog's <remove> (names compare case-insensitively) takes away the rule of the location above it
    assert names(effective) == [("/", ["root", "site-web"]), ("/blog", ["blog-loc", "blog-web"])]
    assert effective.allowed == ["HTTP_X_ORIGINAL_HOST", "HTTP_X_FORWARDED_PROTO"]
    assert effective.maps == {"Static": {"name": "Static", "default_value": "none", "ignore_case": False,
                                         "entries": [{"key": "/a", "value": "/b"}]}}


def test_apphost_without_allowed_variables_allows_none_and_the_engine_answers_500_50():
    host = apphost()
    web = config(f"<rules>{PROXY_XML}</rules>")
    effective = sources.ruleset_from_xml([{"path": APPHOST, "xml": host}, {"path": "/", "xml": web}], site=SITE)
    assert effective.allowed == []
    final = evaluate(effective.ruleset, {"url": "/x"})["final"]
    assert (final["type"], final["status"], final["sub_status"]) == ("Error", 500, 50)


def test_clear_takes_away_every_rule_above():
    web = config("<rules>" + rule("a") + rule("b") + "</rules>")
    blog = config("<rules><clear />" + rule("c") + "</rules>")
    effective = sources.ruleset_from_xml([{"path": "/", "xml": web}, {"path": "/Blog/", "xml": blog}])
    assert names(effective) == [("/Blog", ["c"])]


def test_maps_merge_with_clear_and_remove_and_duplicates_are_refused():
    web = config('<rewriteMaps><rewriteMap name="A"><add key="k" value="v" /></rewriteMap>'
                 '<rewriteMap name="B" /></rewriteMaps>')
    blog = config('<rewriteMaps><remove name="a" /><rewriteMap name="C" /></rewriteMaps>')
    effective = sources.ruleset_from_xml([{"path": "/", "xml": web}, {"path": "/blog", "xml": blog}])
    assert sorted(effective.maps) == ["B", "C"]
    twice = config('<rewriteMaps><rewriteMap name="A" /></rewriteMaps>')
    with pytest.raises(EngineError, match=r'config\[1\] \(/blog\) <rewriteMaps> <rewriteMap name="A">: .*duplicate'):
        sources.ruleset_from_xml([{"path": "/", "xml": web}, {"path": "/blog", "xml": twice}])


@pytest.mark.parametrize("levels, message", [
    ([{"path": "/", "xml": config('<rules configSource="rewriteRules.config" />')}],
     r"config\[0\] \(/\) <rules configSource=\"rewriteRules.config\">: .*'rewriteRules.config'.*inline"),
    ([{"path": "/", "xml": config("", location("sub", "<rules />"))}],
     r"config\[0\] \(/\) <location path=\"sub\">: a <location> element with a path in a web.config"),
    ([{"path": "/blog", "xml": config("")}, {"path": "/", "xml": config("")}],
     r"config\[1\] \(/\): path must lie below the folder before it, '/blog'"),
    ([{"path": "/", "xml": config("")}, {"path": APPHOST, "xml": config("")}],
     r"config\[1\] \(MACHINE/WEBROOT/APPHOST\): path: applicationHost.config must be the first level"),
    ([{"path": "blog", "xml": config("")}], r"config\[0\] \(blog\): path must be MACHINE/WEBROOT/APPHOST"),
    ([{"path": "/", "xml": '<!DOCTYPE x [<!ENTITY a "b">]><configuration>&a;</configuration>'}],
     r"config\[0\] \(/\): xml holds a DOCTYPE or ENTITY declaration"),
    ([{"path": "/", "xml": "<configuration><rules>"}], r"config\[0\] \(/\): xml is not well-formed XML"),
    ([{"path": "/", "xml": "<rules />"}], r"must be a whole config file with <configuration> at its top, got <rules>"),
    ([{"path": "/", "xml": config("<globalRules />")}], r"globalRules can be defined only at the top of"),
    ([{"path": "/", "xml": config(ALLOW)}], r"config\[0\] \(/\) <rewrite><allowedServerVariables>: .*locked"),
    ([{"path": "/", "xml": config('<rules><rule name="r" enabld="true" /></rules>')}],
     r'config\[0\] \(/\) <rules> <rule name="r">: unknown attribute \'enabld\''),
    ([{"path": "/", "xml": config('<rules><rule name="r" stopProcessing="yes" /></rules>')}],
     r"stopProcessing must be true or false, got 'yes'"),
    ([{"path": "/", "xml": config('<rules><rule name="r"><action type="9" /></rule></rules>')}],
     r"<action>: type must be one of None, Rewrite, Redirect, CustomResponse, AbortRequest \(0-4\), got '9'"),
    ([{"path": "/", "xml": config("<rules>" + rule("r") + rule("R") + "</rules>")}],
     r'<rule name="R">: a rule of this name is already defined'),
    ([{"path": APPHOST, "xml": apphost("", location(f"{SITE}/a", "<rules />") + location(f"{SITE}/b", "<rules />"))}],
     r"folders '/a' and '/b' do not lie on one path"),
])
def test_what_cannot_be_evaluated_is_refused_naming_the_level(levels: list[dict[str, Any]], message: str):
    with pytest.raises(EngineError, match=message):
        sources.ruleset_from_xml(levels, site=SITE)


def test_custom_providers_are_unsupported():
    web = config('<providers><provider name="DB" type="x" /></providers>')
    with pytest.raises(Unsupported, match=r"config\[0\] \(/\) <rewrite><providers>: custom rewrite providers"):
        sources.ruleset_from_xml([{"path": "/", "xml": web}])


# -- live: one config_read ------------------------------------------------------------------------
def maps_section(pspath: str, maps: list[dict[str, Any]]) -> dict[str, Any]:
    items = [{"name": "rewriteMap", "locally_stored": True, "children": {},
              "attributes": {"name": {"value": m["name"]}, "defaultValue": {"value": m.get("default_value", "")},
                             "ignoreCase": {"value": True}},
              "items": [{"name": "add", "attributes": {"key": {"value": k}, "value": {"value": v}}}
                        for k, v in m.get("entries", {}).items()]} for m in maps]
    return section("system.webServer/rewrite/rewriteMaps", pspath, "", SITE_FILE,
                   {"name": "rewriteMaps", "attributes": {}, "children": {}, "items": items})


def test_live_addresses_are_one_read_of_globals_site_app_allowed_and_maps():
    got = [a.as_dict() for a in sources.live_addresses(SITE, "/myApp/")]
    assert got == [
        {"section": "system.webServer/rewrite/globalRules", "pspath": APPHOST, "location": ""},
        {"section": "system.webServer/rewrite/rules", "pspath": f"{APPHOST}/{SITE}", "location": ""},
        {"section": "system.webServer/rewrite/rules", "pspath": f"{APPHOST}/{SITE}/myApp", "location": ""},
        {"section": "system.webServer/rewrite/allowedServerVariables", "pspath": APPHOST, "location": f"{SITE}/myApp"},
        {"section": "system.webServer/rewrite/rewriteMaps", "pspath": f"{APPHOST}/{SITE}/myApp", "location": ""}]
    assert len(sources.live_addresses(SITE, None)) == 4


def test_read_form_keeps_inherited_rules_still_effective_at_the_application():
    root_rule = {"name": "FromRoot", "match": {"url": "^root"}}
    site_rule = {"name": "SiteRule", "match": {"url": "^x"}, "action": {"type": "Rewrite", "url": "y"}}
    gone = {"name": "RemovedByApp", "match": {"url": ".*"}}
    app_rule = {"name": "AppRule", "match": {"url": "^help$"},
                "action": {"type": "Redirect", "url": "manual", "redirect_type": "Found"}}
    read = ConfigRead({"fingerprint": {}, "sections": [
        rules_section([{"name": "g", "match": {"url": "^old$"}}], model.GLOBAL, site=None),
        rules_section([site_rule, gone], inherited=[root_rule]),
        # the app's web.config says <remove name="RemovedByApp"/> and adds AppRule
        rules_section([app_rule], site=f"{SITE}/myApp", inherited=[root_rule, site_rule]),
        allowed_section(["HTTP_X_A"], location=f"{SITE}/myApp", inherited=["HTTP_X_B"]),
        maps_section(f"{APPHOST}/{SITE}/myApp", [{"name": "M", "entries": {"k": "v"}}]),
    ]})
    effective = sources.ruleset_from_read(read, SITE, "myApp")
    assert [r["name"] for r in effective.global_rules] == ["g"]
    assert names(effective) == [("/", ["FromRoot", "SiteRule"]), ("/myApp", ["AppRule"])]
    assert effective.allowed == ["HTTP_X_B", "HTTP_X_A"]
    assert effective.maps["M"]["entries"] == [{"key": "k", "value": "v"}]
    result = evaluate(effective.ruleset, {"url": "/myApp/help?x=1", "host": "h"})
    assert result["matched_rules"] == ["AppRule"]
    assert result["final"]["rooted_url"] == "http://h/myApp/manual?x=1" and result["final"]["status"] == 302
    assert APPHOST_FILE  # the sections above are filed as config_read files them


def test_live_addresses_read_the_folders_below_the_application_in_the_same_read():
    got = [a.as_dict()["pspath"] for a in sources.live_addresses(
        SITE, "/myApp", folders=["/myApp/blog/2024", "/myApp/BLOG", "/myApp", "/other/x", "/myApp/shop"])]
    assert got == [APPHOST, f"{APPHOST}/{SITE}", f"{APPHOST}/{SITE}/myApp", f"{APPHOST}/{SITE}/myApp/blog",
                   f"{APPHOST}/{SITE}/myApp/shop", f"{APPHOST}/{SITE}/myApp/blog/2024", APPHOST,
                   f"{APPHOST}/{SITE}/myApp"]
    assert [sources.request_folder(u) for u in ("/myApp/blog/post?x=/a/b", "/a/b/", "/x", "/My%20App/p")] == [
        "/myApp/blog", "/a/b", "/", "/My App"]
    with pytest.raises(EngineError, match="lie in 51 distinct folders below '/'; at most 50"):
        sources.live_addresses(SITE, None, folders=[f"/f{n}" for n in range(51)])


def test_read_form_with_folders_evaluates_a_subfolder_web_config():
    site_rule = {"name": "SiteRule", "match": {"url": "^never$"}}
    app_rule = {"name": "AppRule", "match": {"url": "^blog/old$"}, "action": {"type": "Rewrite", "url": "blog/x"}}
    blog_rule = {"name": "BlogRule", "match": {"url": "^x$"}, "action": {"type": "Rewrite", "url": "post.aspx"}}
    read = ConfigRead({"fingerprint": {}, "sections": [
        rules_section([], model.GLOBAL, site=None),
        rules_section([site_rule]),
        rules_section([app_rule], site=f"{SITE}/myApp", inherited=[site_rule]),
        # /myApp/blog's web.config: <remove name="SiteRule"/> and BlogRule
        rules_section([blog_rule], site=f"{SITE}/myApp/blog", inherited=[app_rule]),
        allowed_section([], location=f"{SITE}/myApp"),
        maps_section(f"{APPHOST}/{SITE}/myApp", []),
    ]})
    effective = sources.ruleset_from_read(read, SITE, "/myApp", folders=["/myApp/blog"])
    assert names(effective) == [("/", []), ("/myApp", ["AppRule"]), ("/myApp/blog", ["BlogRule"])]
    result = evaluate(effective.ruleset, {"url": "/myApp/blog/old"})
    assert result["matched_rules"] == ["AppRule", "BlogRule"]
    assert result["final"]["rooted_url"] == "/myApp/blog/post.aspx"
    # without folders the blog level is not read, as before
    assert names(sources.ruleset_from_read(read, SITE, "/myApp")) == [("/", ["SiteRule"]), ("/myApp", ["AppRule"])]
    with pytest.raises(EngineError, match="'/myApp/a' and '/myApp/b' do not lie on one path"):
        sources.ruleset_from_read(read, SITE, "/myApp", folders=["/myApp/a", "/myApp/b"])


# -- review findings (issue 10) ----------------------------------------------------------------------
def test_site_locations_without_site_are_refused_naming_them():
    # allowedServerVariables usually lives in <location path="Site">: dropping it would give a false 500.50
    host = apphost("", location(SITE, ALLOW) + location(f"{SITE}/blog", "<rules>" + rule("b") + "</rules>")
                   + '<location path="Other"><system.webServer><httpErrors /></system.webServer></location>')
    with pytest.raises(EngineError, match=r"config\[0\] \(MACHINE/WEBROOT/APPHOST\): <location path=\"Default Web "
                                          r"Site\">, <location path=\"Default Web Site/blog\"> hold rewrite "
                                          r"settings.*give site"):
        sources.ruleset_from_xml([{"path": APPHOST, "xml": host}, {"path": "/", "xml": config("")}])
    # with site they are read; a location without rewrite settings is no reason to refuse
    assert sources.ruleset_from_xml([{"path": APPHOST, "xml": host}], site=SITE).allowed == ["HTTP_X_FORWARDED_PROTO"]
    plain_host = apphost("<rules>" + rule("r") + "</rules>",
                         '<location path="Other"><system.webServer><httpErrors /></system.webServer></location>')
    assert names(sources.ruleset_from_xml([{"path": APPHOST, "xml": plain_host}])) == [("/", ["r"])]


def test_response_cache_directive_is_accepted_and_has_no_effect():
    web = config("<rules>" + rule("r", "^a$", '<action type="Rewrite" url="b" />', responseCacheDirective="Never")
                 + "</rules>")
    effective = sources.ruleset_from_xml([{"path": "/", "xml": web}])
    assert evaluate(effective.ruleset, {"url": "/a"})["final"]["rooted_url"] == "/b"
    assert "responseCacheDirective" not in effective.levels[0][1][0]  # not a module option (docs/rewrite.md)
    bad = config("<rules>" + rule("r", responseCacheDirective="Sometimes") + "</rules>")
    with pytest.raises(EngineError, match=r"responseCacheDirective must be one of Auto, Always, Never, "
                                          r"NotIfRuleMatched, got 'Sometimes'"):
        sources.ruleset_from_xml([{"path": "/", "xml": bad}])


def test_use_original_url_encoding_false_is_unsupported():
    off = config('<rules useOriginalURLEncoding="false">' + rule("r") + "</rules>")
    with pytest.raises(Unsupported, match=r"config\[0\] \(/\) <rewrite><rules>: useOriginalURLEncoding=\"false\""):
        sources.ruleset_from_xml([{"path": "/", "xml": off}])
    on = config('<rules useOriginalURLEncoding="true">' + rule("r") + "</rules>")
    assert names(sources.ruleset_from_xml([{"path": "/", "xml": on}])) == [("/", ["r"])]


def test_use_original_url_encoding_false_read_live_is_unsupported():
    read = ConfigRead({"fingerprint": {}, "sections": [
        rules_section([], model.GLOBAL, site=None), rules_section([{"name": "r", "match": {"url": "x"}}]),
        allowed_section([]), maps_section(f"{APPHOST}/{SITE}", [])]})
    read.sections[1].element.data["attributes"] = {"useOriginalURLEncoding": {"value": False, "is_default": False}}
    with pytest.raises(Unsupported, match="useOriginalURLEncoding"):
        sources.ruleset_from_read(read, SITE, None)


ASPNET_CORE = ('<configuration><location path="." inheritInChildApplications="false"><system.webServer>'
               '<handlers><add name="aspNetCore" path="*" verb="*" modules="AspNetCoreModuleV2" /></handlers>'
               "<rewrite><rules>" + rule("r", "^a$", '<action type="Rewrite" url="b" />') + "</rules></rewrite>"
               "</system.webServer></location></configuration>")


def test_web_config_location_dot_is_the_level_itself():
    effective = sources.ruleset_from_xml([{"path": "/myApp", "xml": ASPNET_CORE}])
    assert names(effective) == [("/myApp", ["r"])]
    assert evaluate(effective.ruleset, {"url": "/myApp/a"})["final"]["rooted_url"] == "/myApp/b"
    # a deeper level may be a child application, which would not inherit: the levels do not say
    with pytest.raises(Unsupported, match=r"config\[0\] \(/myApp\) <location path=\".\" "
                                          r"inheritInChildApplications=\"false\">.*config\[1\] \(/myApp/sub\)"):
        sources.ruleset_from_xml([{"path": "/myApp", "xml": ASPNET_CORE}, {"path": "/myApp/sub", "xml": config("")}])


@pytest.mark.parametrize("xml, message", [
    ('<rule name="x"><match url="a" /><action type="Redirect" url="b" redirectType="Bogus" /></rule>',
     'config[1] (/blog) <rules> <rule name="x">: <action redirectType> must be 301, 302, 303 or 307'),
    ('<rule name="x"><match url="(" /></rule>',
     "config[1] (/blog) <rules> <rule name=\"x\">: <match url> '(' is not a valid ECMAScript pattern"),
    ('<rule name="x"><match url="a" /><conditions><add input="{HTTP_HOST}" pattern="(" /></conditions></rule>',
     'config[1] (/blog) <rules> <rule name="x">: <conditions><add>[0] pattern \'(\''),
    ('<rule name="x"><match url="a" /><conditions logicalGrouping="Some" /></rule>',
     'config[1] (/blog) <rules> <rule name="x">: <conditions logicalGrouping> must be one of MatchAll, MatchAny'),
    ('<rule name="x" patternSyntax="Regex"><match url="a" /></rule>',
     'config[1] (/blog) <rules> <rule name="x">: patternSyntax must be one of ECMAScript'),
])
def test_rule_errors_name_the_config_level_the_rule_and_the_xml_attribute(xml: str, message: str):
    levels = [{"path": "/", "xml": config("<rules>" + rule("ok") + "</rules>")},
              {"path": "/blog", "xml": config(f"<rules>{xml}</rules>")}]
    with pytest.raises(EngineError) as caught:
        sources.ruleset_from_xml(levels)
    assert str(caught.value).startswith(message), str(caught.value)
    assert "levels[" not in str(caught.value) and "'x':" not in str(caught.value)
