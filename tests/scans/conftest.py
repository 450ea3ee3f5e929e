"""Scanners run against the real portal under gunicorn, with content and sample data loaded."""
import pytest

from tests.servers import environment, flask, serve


@pytest.fixture(scope="package")
def scanned_portal(tmp_path_factory):
    data = tmp_path_factory.mktemp("scanned")
    env = environment(data)
    for args in (["db", "upgrade"], ["content", "load", "content"], ["content", "load", "demo"],
                 ["search", "rebuild"]):
        flask(env, *args)
    with serve(env) as base:
        yield base
