"""IIS's detailed error page (errorMode DetailedLocalOnly: the emulated IIS is only ever asked from its own
machine, so it answers as IIS answers a local request): status, substatus, the short text and the
description, and the error code where IIS shows one (ARR's WinHTTP error for 502.3)."""

from __future__ import annotations

import html

from .static import Answer


def error_answer(status: int, sub_status: int, reason: str, description: str, error_code: str = "",
                 detail: str = "") -> Answer:
    title = f"HTTP Error {status}.{sub_status} - {reason}"
    parts = [f"<!DOCTYPE html><html><head><title>IIS 10.0 Detailed Error - {status}.{sub_status} - "
             f"{html.escape(reason)}</title></head><body><div id=\"content\"><div class=\"content-container\">",
             f"<h3>{html.escape(title)}</h3><h4>{html.escape(description)}</h4>"]
    if detail:
        parts.append(f"<p>{html.escape(detail)}</p>")
    if error_code:
        parts.append(f"<fieldset><legend>Detailed Error Information:</legend><ul><li>Error Code</li>"
                     f"<li>{error_code}</li></ul></fieldset>")
    parts.append("</div></div></body></html>")
    body = "\n".join(parts).encode("utf-8")
    return Answer(status, sub_status, reason, [("Content-Type", "text/html")], body, description, error_code)
