"""Location tags as IIS applies them: ``<location path="sub">`` inside a web.config, and
``inheritInChildApplications="false"`` (docs/emulator.md "Locations")."""

from __future__ import annotations

from winhost import Host
from winhost.iis import add_application
from winhost_helpers import APPHOST, APPHOST_FILE, SITE, SITE_WEB_CONFIG, apply, attrs, op, raises, read, rule

RULES = "system.webServer/rewrite/rules"
APP = SITE + "/app"
APP_WEB_CONFIG = "C:\\apps\\app\\web.config"

# What ASP.NET Core's publish step writes (dotnet publish, Microsoft.NET.Sdk.Web), with a rewrite rule a
# user added inside the same location tag.
PUBLISHED = """<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <location path="." inheritInChildApplications="{inherit}">
    <system.webServer>
      <handlers>
        <add name="aspNetCore" path="*" verb="*" modules="AspNetCoreModuleV2" resourceType="Unspecified" />
      </handlers>
      <aspNetCore processPath="dotnet" arguments=".\\site.dll" stdoutLogEnabled="false" hostingModel="inprocess" />
      <rewrite>
        <rules>
          <rule name="spa" stopProcessing="true">
            <match url=".*" />
            <action type="Rewrite" url="/index.html" />
          </rule>
        </rules>
      </rewrite>
    </system.webServer>
  </location>
</configuration>
"""


def names(entry: dict) -> list[str]:
    return [attrs(i)["name"] for i in entry["element"]["items"]]


def write(host: Host, win_path: str, text: str) -> None:
    host.write_files([(win_path, text.encode("utf-8"))])


def with_app(host: Host, site_web_config: str) -> None:
    add_application(host, "Default Web Site", "/app", "C:\\apps\\app")
    write(host, SITE_WEB_CONFIG, site_web_config)


def test_location_not_inherited_by_child_application(host: Host) -> None:
    with_app(host, PUBLISHED.format(inherit="false"))
    (host.local_path("C:\\inetpub\\wwwroot") / "static").mkdir()
    site = read(host, RULES, SITE)["element"]
    assert [attrs(i)["name"] for i in site["items"]] == ["spa"] and site["items"][0]["locally_stored"] is True
    assert names(read(host, RULES, SITE + "/static")) == ["spa"]  # a folder of the same application inherits
    assert names(read(host, RULES, APP)) == []  # the child application does not


def test_child_application_may_add_the_key_its_parent_keeps_to_itself(host: Host) -> None:
    with_app(host, PUBLISHED.format(inherit="false"))
    site_before = host.read_bytes(SITE_WEB_CONFIG)
    apply(host, op("add", RULES, APP, element=rule("spa")))
    assert names(read(host, RULES, APP)) == ["spa"]
    assert host.read_bytes(SITE_WEB_CONFIG) == site_before
    assert 'name="spa"' in host.read_bytes(APP_WEB_CONFIG).decode()


def test_location_dot_without_the_attribute_is_inherited(host: Host) -> None:
    with_app(host, PUBLISHED.format(inherit="true"))
    entry = read(host, RULES, APP)
    assert names(entry) == ["spa"] and entry["element"]["items"][0]["locally_stored"] is False
    raises("DuplicateKey", apply, host, op("add", RULES, APP, element=rule("spa")))


def test_apphost_location_with_inherit_false_stops_at_child_application(host: Host) -> None:
    add_application(host, "Default Web Site", "/app", "C:\\apps\\app")
    text = host.read_bytes(APPHOST_FILE).decode().replace(
        "</configuration>",
        '<location path="Default Web Site" inheritInChildApplications="false"><system.webServer><rewrite><rules>'
        '<rule name="site-only"><match url="x" /></rule></rules></rewrite></system.webServer></location>'
        "</configuration>")
    write(host, APPHOST_FILE, text)
    assert names(read(host, RULES, SITE)) == ["site-only"]
    assert names(read(host, RULES, APPHOST, "Default Web Site")) == ["site-only"]
    assert names(read(host, RULES, APP)) == []
    assert names(read(host, RULES, APPHOST, "Default Web Site/app")) == []


SUB_LOCATION = """<?xml version="1.0" encoding="UTF-8"?>
<configuration>
    <system.webServer>
        <rewrite>
            <rules>
                <rule name="root"><match url="r" /></rule>
            </rules>
        </rewrite>
    </system.webServer>
    <location path="app">
        <system.webServer>
            <rewrite>
                <rules>
                    <rule name="from-parent"><match url="p" /></rule>
                </rules>
            </rewrite>
        </system.webServer>
    </location>
</configuration>
"""


def test_location_path_in_web_config_applies_to_that_path(host: Host) -> None:
    with_app(host, SUB_LOCATION)
    write(host, APP_WEB_CONFIG, '<?xml version="1.0" encoding="UTF-8"?>\n<configuration><system.webServer>'
          '<rewrite><rules><rule name="own"><match url="o" /></rule></rules></rewrite></system.webServer>'
          "</configuration>\n")
    assert names(read(host, RULES, SITE)) == ["root"]  # the tag is for /app, not for the site root
    entry = read(host, RULES, APP)
    # parent file's own level, its <location path="app">, then the application's own web.config
    assert names(entry) == ["root", "from-parent", "own"]
    assert [i["locally_stored"] for i in entry["element"]["items"]] == [False, False, True]
    assert SITE_WEB_CONFIG in entry["fingerprint"] and APP_WEB_CONFIG in entry["fingerprint"]


def test_location_path_in_web_config_counts_for_duplicates_and_remove(host: Host) -> None:
    with_app(host, SUB_LOCATION)
    site_before = host.read_bytes(SITE_WEB_CONFIG)
    raises("DuplicateKey", apply, host, op("add", RULES, APP, element=rule("from-parent")))
    apply(host, op("remove", RULES, APP, key={"name": "from-parent"}))
    assert names(read(host, RULES, APP)) == ["root"]
    assert host.read_bytes(SITE_WEB_CONFIG) == site_before  # the removal is written where the write goes
    assert '<remove name="from-parent" />' in host.read_bytes(APP_WEB_CONFIG).decode()


def test_location_path_in_web_config_is_refused_like_a_local_section_when_locked(host: Host) -> None:
    with_app(host, """<?xml version="1.0" encoding="UTF-8"?>
<configuration>
    <location path="app">
        <system.webServer><rewrite><allowedServerVariables><add name="HTTP_X" /></allowedServerVariables>
        </rewrite></system.webServer>
    </location>
</configuration>
""")
    # allowedServerVariables is overrideModeDefault="Deny": IIS refuses it in any web.config, location or not.
    raises("SectionLocked", read, host, "system.webServer/rewrite/allowedServerVariables", APP)
    assert read(host, "system.webServer/rewrite/allowedServerVariables", SITE)["element"]["items"] == []


def test_remove_then_add_of_the_same_key_in_one_apply(host: Host) -> None:
    """As config_apply.ps1 does it through one Configuration object per file: the add sees the removal."""
    apply(host, op("add", RULES, SITE, element=rule("r1", url="old")))
    apply(host, op("remove", RULES, SITE, key={"name": "r1"}), op("add", RULES, SITE, element=rule("r1", url="new")))
    items = read(host, RULES, SITE)["element"]["items"]
    assert [attrs(i)["name"] for i in items] == ["r1"]
    assert attrs(items[0]["children"]["match"])["url"] == "new"


def test_remove_of_an_inherited_key_then_add_in_one_apply(host: Host) -> None:
    with_app(host, PUBLISHED.format(inherit="true"))
    apply(host, op("remove", RULES, APP, key={"name": "spa"}), op("add", RULES, APP, element=rule("spa", url="app")))
    items = read(host, RULES, APP)["element"]["items"]
    assert [(attrs(i)["name"], i["locally_stored"]) for i in items] == [("spa", True)]
    text = host.read_bytes(APP_WEB_CONFIG).decode()
    assert text.index('<remove name="spa" />') < text.index('<rule name="spa">')
