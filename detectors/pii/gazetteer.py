"""Name gazetteers: given names and surnames of many origins, with a frequency bucket each.

Shipped as derived data in `data/` (never downloaded at run time): given names from the US Social
Security Administration's national baby-name data (public domain), surnames from the 1990 US
census list as shipped by the PyPI package `names` (MIT). Rebuild with
`python -m detectors.pii.gazetteer --ssa FILE --census FILE` (see data/README.md).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from anyascii import anyascii

DATA = Path(__file__).parent / "data"
FIRST_FILE, LAST_FILE = "first_names.tsv", "surnames.tsv"
MIN_BIRTHS = 10  # a given name recorded for at least this many babies in its best year
_NON_LETTER = re.compile(r"[^a-z]")


def fold(token: str) -> str:
    """The comparable form of a name part: ASCII, lower case, letters only ("José" → "jose")."""
    return _NON_LETTER.sub("", anyascii(token).lower())


@dataclass(frozen=True)
class Gazetteer:
    """Folded given names and surnames → frequency bucket (1 rare … 5 very common)."""

    first: Mapping[str, int]
    last: Mapping[str, int]

    def first_bucket(self, token: str) -> int:
        """The given-name bucket of `token` (0 when it is not a known given name)."""
        return self.first.get(fold(token), 0)

    def last_bucket(self, token: str) -> int:
        """The surname bucket of `token` (0 when it is not a known surname)."""
        return self.last.get(fold(token), 0)

    def is_name_part(self, token: str) -> bool:
        """True for a known given name or surname."""
        key = fold(token)
        return key in self.first or key in self.last


def _read(path: Path) -> dict[str, int]:
    out: dict[str, int] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, bucket = line.partition("\t")
            out[name] = int(bucket)
    return out


@cache
def load(folder: Path = DATA) -> Gazetteer:
    """The shipped gazetteer (read once per process)."""
    return Gazetteer(_read(folder / FIRST_FILE), _read(folder / LAST_FILE))


# --- building the data files (development time) ---------------------------------------------


def _first_bucket(births: int) -> int:
    return 1 + sum(births >= t for t in (30, 100, 1000, 10000))


def _last_bucket(rank: int) -> int:
    return 1 + sum(rank <= t for t in (50000, 20000, 5000, 1000))


def build(ssa: Path, census: Path, out: Path = DATA) -> tuple[int, int]:
    """Write the two TSV files from the SSA max-occurrence list and the census surname list."""
    first: dict[str, int] = {}
    for line in ssa.read_text(encoding="utf-8").splitlines():
        parts = line.split(",")
        if len(parts) < 3 or not parts[2].isdigit() or int(parts[2]) < MIN_BIRTHS:
            continue
        key = fold(parts[0])
        if len(key) >= 2:
            first[key] = max(first.get(key, 0), _first_bucket(int(parts[2])))
    last: dict[str, int] = {}
    for rank, line in enumerate(census.read_text(encoding="utf-8").splitlines(), start=1):
        fields = line.split()
        key = fold(fields[0]) if fields else ""
        if len(key) >= 2 and key not in last:
            last[key] = _last_bucket(rank)
    header = (
        "# name<TAB>frequency bucket (1 rare … 5 very common); built by detectors.pii.gazetteer\n"
    )
    out.mkdir(parents=True, exist_ok=True)
    for name, table in ((FIRST_FILE, first), (LAST_FILE, last)):
        rows = sorted(table.items(), key=lambda kv: (-kv[1], kv[0]))
        (out / name).write_text(header + "".join(f"{k}\t{v}\n" for k, v in rows), encoding="utf-8")
    return len(first), len(last)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m detectors.pii.gazetteer --ssa FILE --census FILE`."""
    parser = argparse.ArgumentParser(prog="python -m detectors.pii.gazetteer", description=__doc__)
    parser.add_argument(
        "--ssa", type=Path, required=True, help="ssa_first_names_maxoccurrences.txt"
    )
    parser.add_argument("--census", type=Path, required=True, help="names/dist.all.last")
    args = parser.parse_args(argv)
    n_first, n_last = build(args.ssa, args.census)
    print(f"{n_first} given names, {n_last} surnames → {DATA}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
