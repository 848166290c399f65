"""The optional postcodes.io geocoder, against a fake server on 127.0.0.1 only."""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

import pytest
from django.core.management import call_command

from places.geocoding import UnknownPostcode, postcode_lookup
from places.models import Postcode

pytestmark = pytest.mark.django_db

# What the fake postcodes.io knows: M5 4WT (University of Salford) and a
# Westminster postcode, with postcodes.io's field names.
KNOWN = {
    "M5 4WT": {"postcode": "M5 4WT", "latitude": 53.483487, "longitude": -2.270651},
    "SW1A 2AA": {"postcode": "SW1A 2AA", "latitude": 51.50354, "longitude": -0.127695},
    "M5 4ZZ": {"postcode": "M5 4ZZ", "latitude": None, "longitude": None},  # no point yet
}


class FakePostcodesIo(BaseHTTPRequestHandler):
    requests: list[str] = []

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self.requests.append(f"GET {self.path}")
        postcode = unquote(self.path.removeprefix("/postcodes/")).upper()
        if postcode in KNOWN:
            self._answer(200, {"status": 200, "result": KNOWN[postcode]})
        else:
            self._answer(404, {"status": 404, "error": "Postcode not found"})

    def do_POST(self) -> None:
        self.requests.append(f"POST {self.path}")
        length = int(self.headers["Content-Length"])
        asked = json.loads(self.rfile.read(length))["postcodes"]
        self._answer(
            200, {"status": 200, "result": [{"query": q, "result": KNOWN.get(q)} for q in asked]}
        )

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        return


@pytest.fixture
def fake_server(settings) -> Iterator[list[str]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakePostcodesIo)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    FakePostcodesIo.requests = []
    settings.BACKER_GEOCODER = "postcodes_io"
    settings.BACKER_POSTCODES_IO_URL = f"http://127.0.0.1:{server.server_address[1]}"
    settings.BACKER_POSTCODES_IO_TIMEOUT = 2
    try:
        yield FakePostcodesIo.requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_it_is_off_by_default(settings, salford) -> None:
    assert settings.BACKER_GEOCODER == "local"
    with pytest.raises(UnknownPostcode):
        postcode_lookup(postcode="M5 4WT")  # only boundaries loaded: the table is empty


def test_it_gets_the_point_online_and_the_neighbourhood_from_our_boundaries(
    salford, fake_server
) -> None:
    location = postcode_lookup(postcode="m54wt")
    assert fake_server == ["GET /postcodes/M5%204WT"]
    assert (location.latitude, location.longitude) == (53.483487, -2.270651)
    assert (location.neighbourhood_code, location.imd_decile) == ("E01033991", 3)


def test_a_postcode_it_does_not_know_falls_back_to_the_table(salford, fake_server) -> None:
    Postcode.objects.create(postcode="M50 2AA", latitude=53.473654, longitude=-2.304381)
    assert postcode_lookup(postcode="M50 2AA").neighbourhood_code == "E01005723"
    assert fake_server == ["GET /postcodes/M50%202AA"]


def test_unknown_to_both_is_an_unknown_postcode(salford, fake_server) -> None:
    with pytest.raises(UnknownPostcode):
        postcode_lookup(postcode="M6 6ZZ")
    with pytest.raises(UnknownPostcode):
        postcode_lookup(postcode="M5 4ZZ")  # known online, but without a point


def test_a_point_outside_our_boundaries_is_outside_the_area(salford, fake_server) -> None:
    location = postcode_lookup(postcode="SW1A 2AA")
    assert location.outside_area is True
    assert location.latitude == 51.50354


def test_when_the_server_is_down_the_table_still_answers(salford, settings, caplog) -> None:
    # Nothing listens on loopback port 9: the connection is refused at once.
    settings.BACKER_GEOCODER = "postcodes_io"
    settings.BACKER_POSTCODES_IO_URL = "http://127.0.0.1:9"
    Postcode.objects.create(postcode="M50 2AA", latitude=53.473654, longitude=-2.304381)
    assert postcode_lookup(postcode="M50 2AA").neighbourhood_code == "E01005723"
    assert "postcodes.io unavailable" in caplog.text


def test_locate_asks_in_bulk(salford, fake_server, write_csv) -> None:
    path = write_csv(["postcode"], [["M5 4WT"], ["SW1A 2AA"], ["M6 6ZZ"]])
    out, err = io.StringIO(), io.StringIO()
    call_command("locate", str(path), stdout=out, stderr=err)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["neighbourhood_code"] for r in rows] == ["E01033991", "", ""]
    assert fake_server == ["POST /postcodes"]
    assert err.getvalue().splitlines()[:2] == [
        "line 3: postcode SW1A 2AA is outside the area",
        "line 4: unknown postcode M6 6ZZ",
    ]
