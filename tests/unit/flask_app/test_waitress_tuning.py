"""The waitress tuning options reach waitress, and the role checks the same ranges as run_server.py."""

from __future__ import annotations

import pytest
import run_server
from role_vars import failed_checks
from run_server import MAX_CONNECTION_LIMIT, WINDOWS_SELECT_LIMIT, Settings, make_server, parse_settings

TUNING = ("threads", "connection_limit", "channel_timeout", "backlog", "cleanup_interval", "outbuf_high_watermark")


def test_settings_reach_waitress() -> None:
    settings = parse_settings(["--port", "0", "--threads", "3", "--connection-limit", "42", "--channel-timeout", "7",
                               "--backlog", "16", "--cleanup-interval", "2", "--outbuf-high-watermark", "131072"], {})
    server = make_server(settings)
    try:
        assert {name: getattr(server.adj, name) for name in TUNING} == {
            "threads": 3, "connection_limit": 42, "channel_timeout": 7, "backlog": 16, "cleanup_interval": 2,
            "outbuf_high_watermark": 131072}
        assert len(server.task_dispatcher.threads) == 3
    finally:
        server.close()
        server.task_dispatcher.shutdown(timeout=1)


def test_connection_limit_fits_windows_select() -> None:
    # The listening socket and the trigger socket are in waitress' select() set too, and waitress
    # accepts one more connection before its count stops it.
    assert MAX_CONNECTION_LIMIT + 3 <= WINDOWS_SELECT_LIMIT == 512
    assert Settings().connection_limit <= MAX_CONNECTION_LIMIT


@pytest.mark.parametrize("name", TUNING)
def test_role_accepts_exactly_what_run_server_accepts(name: str) -> None:
    convert = {"threads": run_server.thread_count, "connection_limit": run_server.connection_count,
               "channel_timeout": run_server.timeout_seconds, "backlog": run_server.backlog_length,
               "cleanup_interval": run_server.timeout_seconds,
               "outbuf_high_watermark": run_server.watermark_bytes}[name]
    low, high = (int(n) for n in convert.__name__.rsplit("(", 1)[1].rstrip(")").split("-"))
    variable = f"flask_app_{name}"
    for value in (low, high):
        assert failed_checks("flask_app", **{variable: value}) == {}, value
        assert convert(str(value)) == value
    for value in (low - 1, high + 1):
        assert list(failed_checks("flask_app", **{variable: value})) == [variable], value
        with pytest.raises(ValueError):
            convert(str(value))
