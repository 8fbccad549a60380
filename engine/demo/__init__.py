"""The demo borough: a fictional partnership with planted hard cases; a city-sized generator for benchmarks.

generate(seed, people, today)      -> DemoBorough (monthly import batches + ground-truth `cases`)
build_demo(store, actor, ...)      imports every batch at its own date; meta "demo" = seed
city_evidence(people, seed, today) -> (EvidenceTable, NodeIndex), numpy only, no database
city_tables(people, seed, today)   the same city as interchange tables

Every name, place and agency is invented. See docs/demo-borough.md.
"""

from .borough import DemoBorough, generate
from .build import build_demo
from .city import city_evidence, city_tables

__all__ = ["DemoBorough", "build_demo", "city_evidence", "city_tables", "generate"]
