"""The sample app's routes and URL prefix, through werkzeug's test client (no server)."""

from __future__ import annotations

import pytest
from app import create_app, normalise_prefix
from werkzeug.test import Client


@pytest.fixture
def client() -> Client:
    return Client(create_app())


def test_root_is_404(client: Client) -> None:
    assert client.get("/").status_code == 404
    assert client.get("/help").status_code == 404
    assert client.get("/health").status_code == 404


def test_hello_under_prefix(client: Client) -> None:
    response = client.get("/myApp/")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "Hello World!!!"


def test_help_under_prefix(client: Client) -> None:
    response = client.get("/myApp/help")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "This is the Help Page"


def test_health_is_json(client: Client) -> None:
    response = client.get("/myApp/health")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == {"status": "ok"}


def test_prefix_must_match_a_whole_segment(client: Client) -> None:
    assert client.get("/myAppX/help").status_code == 404
    assert client.get("/myapp/help").status_code == 404  # URL paths are case-sensitive here


def test_unknown_path_under_prefix_is_404(client: Client) -> None:
    assert client.get("/myApp/nope").status_code == 404


def test_whoami_reports_what_the_app_sees(client: Client) -> None:
    response = client.get("/myApp/whoami", environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert response.get_json() == {
        "remote_addr": "192.0.2.10",
        "scheme": "http",
        "host": "localhost",
        "url_root": "http://localhost/myApp/",
    }


def test_other_prefix() -> None:
    client = Client(create_app("/shop/"))
    assert client.get("/shop/help").get_data(as_text=True) == "This is the Help Page"
    assert client.get("/myApp/help").status_code == 404


def test_root_mount_when_prefix_is_slash() -> None:
    client = Client(create_app("/"))
    assert client.get("/").get_data(as_text=True) == "Hello World!!!"
    assert client.get("/health").get_json() == {"status": "ok"}


@pytest.mark.parametrize(
    ("given", "expected"),
    [("/myApp", "/myApp"), ("myApp", "/myApp"), ("/myApp/", "/myApp"), (" /a/b ", "/a/b"), ("/", ""), ("", "")],
)
def test_normalise_prefix(given: str, expected: str) -> None:
    assert normalise_prefix(given) == expected


@pytest.mark.parametrize("bad", ["/a//b", "/a/../b", "/./a", "/a?b", "/a#b", "/a%20b", "/a b", "\\a"])
def test_bad_prefix_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="invalid URL prefix"):
        normalise_prefix(bad)


def test_prefix_without_slash_redirects_to_it(client: Client) -> None:
    response = client.get("/myApp")
    assert response.status_code == 308
    assert response.headers["Location"] == "http://localhost/myApp/"
