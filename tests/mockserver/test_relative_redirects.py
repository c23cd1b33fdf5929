"""A redirect's target keeps its path and query only, whatever Host the request named."""

import pytest

from mockserver.relative_redirects import relative


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        (b"http://evil.example/__admin/health", b"/__admin/health"),
        (b"https://evil.example:8443/api/v3/reading?x=1", b"/api/v3/reading?x=1"),
        (b"//evil.example//x", b"/x"),
        (b"/api/ui/", b"/api/ui/"),
        (b"ui/", b"ui/"),  # already relative: left alone
    ],
)
def test_an_absolute_location_becomes_relative(location, expected):
    assert relative(location) == expected
