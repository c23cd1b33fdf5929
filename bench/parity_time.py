"""Benchmark: how long `conformance parity` takes for a recording of N exchanges (default 1,000). The mock runs
as a user starts it; the recording is its own journal exported in the recording format (a mix of reads,
accepted writes and refusals over the four APIs), replayed against the same mock.

    python bench/parity_time.py [--exchanges 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from harness import running_mock

from conformance.parity import run_parity

TENANT = "bench-parity"
REQUESTS = [
    ("GET", "/fscmRestApi/resources/11.13.18.05/meterReadings?limit=5", {}, None),
    ("PATCH", "/assets/r1/accounts/1001/measuring-elements/2101/measures/batch", {}, b'[{"id": 3101, "value": 4.2}]'),
    ("PATCH", "/assets/r1/accounts/1001/measuring-elements/2101/measures/batch", {}, b"[]"),
    ("PATCH", "/v1/leases/assets", {"CorporateGroup-Name": "ACME"}, b'[{"assetId": 111, "serialNumber": "b"}]'),
    ("PATCH", "/v1/leases/assets", {"CorporateGroup-Name": "ACME"}, b"[{not json"),
    ("GET", "/api/v202101/meter/501/channel/10001", {}, None),
]
CREDENTIALS = {
    "/fscm": {"Authorization": "Basic YmVuY2gtcGFyaXR5OnB3"},  # bench-parity:pw
    "/asse": {"Authorization": f"Bearer {TENANT}"},
    "/v1/l": {"X-API-KEY": TENANT},
    "/api/": {"ECI-ApiKey": TENANT},
}


def send(client: httpx.Client, exchanges: int) -> None:
    for method, path, headers, body in itertools.islice(itertools.cycle(REQUESTS), exchanges):
        headers = {**headers, **CREDENTIALS[path[:5]], "Content-Type": "application/json"}
        client.request(method, path, headers=headers, content=body)


def record(base: str, exchanges: int, folder: Path) -> Path:
    with httpx.Client(base_url=base) as client:
        client.delete("/__admin/requests")
        send(client, exchanges)
        exported = client.get("/__admin/requests", params={"format": "recording", "limit": exchanges})
    path = folder / "recording.jsonl"
    path.write_bytes(exported.content)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--exchanges", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with running_mock("--journal", str(args.exchanges + 10)) as mock, tempfile.TemporaryDirectory() as folder:
        base = f"http://127.0.0.1:{mock.port}"
        recording = record(base, args.exchanges, Path(folder))
        lines = sum(1 for _ in recording.open())
        seconds, alone = [], []
        for _ in range(args.runs):  # alternating: parity, then the same requests sent plainly
            started = time.perf_counter()
            outcome = run_parity(recording, base, None)
            seconds.append(time.perf_counter() - started)
            started = time.perf_counter()
            with httpx.Client(base_url=base) as client:
                send(client, args.exchanges)
            alone.append(time.perf_counter() - started)
        median = statistics.median(seconds)
        print(f"parity over {lines} recorded exchanges ({outcome.replayed} replayed, {outcome.same} the same): "
              f"median {median:.2f} s of {args.runs} runs ({median / max(outcome.replayed, 1) * 1000:.2f} ms per "
              f"exchange; runs {', '.join(f'{s:.2f}' for s in seconds)} s; shared machine)")  # fmt: skip
        print(f"the same requests sent plainly: median {statistics.median(alone):.2f} s "
              f"(parity / plain {median / statistics.median(alone):.2f}x)")  # fmt: skip


if __name__ == "__main__":
    main()
