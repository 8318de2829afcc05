"""The judge's wire format: a student's answer given as lists, packed against one by one.

The judge (``notebooks/homework/judge.py``) and its worker exchange values as JSON data
(``judge_worker.encode`` / ``decode``). An answer returned as a list of Python floats, a list of
lists of floats or a list of numpy scalars of one type is packed: one base64 string of the
values' bytes. The baseline, run in the same process, is the element-by-element encoding every
other list gets (one tagged value per element), which is what such answers cost before packing.

Each case is encoded, serialised with ``json.dumps``, parsed and decoded, ``--repeats`` times;
the script prints the median seconds of each path, the ratio baseline / packed, the message
sizes, and whether both paths give back the values sent (they must; the packed path keeps
the element types too).

Run: ``python benchmarks/judge_wire.py`` (about 30 s on one core).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "notebooks" / "homework"))
import judge_worker as wire  # noqa: E402


def one_by_one(value):
    """The baseline: a list encoded element by element (no packing at the top level)."""
    return [wire.encode(v, None, 1) for v in value]


def round_trip(encode, value) -> tuple[float, int, object]:
    start = time.perf_counter()
    text = json.dumps(encode(value))
    back = wire.decode(json.loads(text), None)
    return time.perf_counter() - start, len(text), back


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="values per answer")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    x = rng.normal(size=args.size)
    cases = {
        "list of floats": x.tolist(),
        "list of [a, b] pairs": x.reshape(-1, 2).tolist(),
        "list of np.float64": list(x),
    }
    print(f"{'answer':22s} {'one by one':>11s} {'packed':>9s} {'ratio':>6s}  sizes (bytes)")
    for name, value in cases.items():
        base, packed = [], []
        for _ in range(args.repeats):  # alternating, so that both see the same machine
            t, base_size, base_back = round_trip(one_by_one, value)
            base.append(t)
            t, packed_size, packed_back = round_trip(lambda v: wire.encode(v, None), value)
            packed.append(t)
        b, p = statistics.median(base), statistics.median(packed)
        # packed: the same values and element types (repr shows np.float64); one by one: the
        # same values (a numpy float64 scalar arrives as a Python float, as it always did)
        same = repr(packed_back) == repr(value) and base_back == value
        print(
            f"{name:22s} {b:10.3f}s {p:8.3f}s {b / p:6.1f}  {base_size:,} vs {packed_size:,}"
            f"  values back: {same}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
