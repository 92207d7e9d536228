"""Analysis helpers for elite long-track sprint speed skating: seventeen ISU seasons, every Olympic sprint race
since 1924, the 2025-26 season and Milano Cortina 2026."""

from .data import (
    DataError,
    Dataset,
    get_skater,
    load_all,
    load_conditions,
    load_entries,
    load_records,
    load_results,
    load_skaters,
    load_splits,
    load_venues,
)
from .skaters import UnknownSkater
from .times import format_gap, format_time, parse_gap, parse_time

__all__ = [
    "DataError",
    "Dataset",
    "load_all",
    "load_conditions",
    "load_results",
    "load_splits",
    "load_records",
    "load_venues",
    "load_entries",
    "load_skaters",
    "get_skater",
    "UnknownSkater",
    "parse_time",
    "parse_gap",
    "format_time",
    "format_gap",
]
