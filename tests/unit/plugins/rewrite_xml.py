"""Config file text for the rewrite_rule_test tests: the reverse_proxy role's rule and whole files around it."""

from __future__ import annotations

# The rule the reverse_proxy role writes (tests/integration/test_site.py assert_reverse_proxy_configured)
PROXY_XML = """<rule name="ReverseProxyInboundRule1" stopProcessing="true">
  <match url="(.*)" />
  <conditions><add input="{CACHE_URL}" pattern="^(https?)://" /></conditions>
  <serverVariables>
    <set name="HTTP_X_FORWARDED_PROTO" value="{C:1}" />
    <set name="HTTP_X_ORIGINAL_HOST" value="{HTTP_HOST}" />
  </serverVariables>
  <action type="Rewrite" url="http://127.0.0.1:50100/{R:1}" />
</rule>"""


def config(rewrite: str, extra: str = "") -> str:
    """A whole config file with ``rewrite`` inside <system.webServer><rewrite> and ``extra`` after it."""
    return (f"<configuration><system.webServer><rewrite>{rewrite}</rewrite></system.webServer>{extra}"
            "</configuration>")


# a web.config as users have it: byte order mark, XML declaration with encoding, comments, line breaks
WEB_CONFIG = ('\ufeff<?xml version="1.0" encoding="utf-8"?>\n<!-- written by the reverse_proxy role -->\n'
              + config(f"\n<rules>\n{PROXY_XML}\n</rules>\n"))
