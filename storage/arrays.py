"""NumPy primitives over the id and text columns the repositories read as arrays, shared by the repositories
and the domain's figures: distinct values by sorting (NumPy 2's np.unique hashes plain integers, 13x slower
here), lookups of ids in an ascending id array (a table where database ids are dense, else a binary search),
codes for texts. NumPy is imported by the functions: a KPI answer needs none."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


def dense(ids: np.ndarray) -> bool:
    """Whether ids (non-negative, ascending or not) are few enough apart to index an array by them: database
    ids are, and a lookup by index is a gather, where a binary search costs a comparison per bit."""
    return len(ids) > 0 and int(ids.max()) < 4 * len(ids) + 1_000_000


def codes_of(customer: np.ndarray, ids: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Each customer's code (a segment, a country: an index), -1 for a customer without one (`ids` ascending,
    `codes` aligned)."""
    import numpy as np

    if not len(ids):
        return np.full(len(customer), -1, np.int64)
    if dense(ids):
        top = int(ids[-1])
        table = np.full(top + 2, -1, np.int64)
        table[ids] = codes
        looked_up: np.ndarray = table[np.minimum(customer, top + 1)]
        return looked_up
    at = np.minimum(np.searchsorted(ids, customer), len(ids) - 1)
    found: np.ndarray = np.where(ids[at] == customer, codes[at], -1)
    return found


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """The distinct values of an integer array, ascending: a sort and a comparison. NumPy 2's np.unique hashes
    plain integers, 13x slower here (850,000 values: 650 ms against 50 ms)."""
    import numpy as np

    s = np.sort(values)
    out: np.ndarray = s[np.concatenate(([True], s[1:] != s[:-1]))] if len(s) else s
    return out


def distinct_ids(customer: np.ndarray) -> np.ndarray:
    """The distinct customers of an array of customer ids."""
    import numpy as np

    if not dense(customer):
        return sorted_unique(customer)
    seen = np.zeros(int(customer.max()) + 1, bool)
    seen[customer] = True
    return np.flatnonzero(seen)


def distinct_counts(group: np.ndarray, customer: np.ndarray, groups: int) -> np.ndarray:
    """How many distinct customers each of `groups` group codes has, of aligned (group, customer) rows (ids
    non-negative): each pair once, by sorting their codes."""
    import numpy as np

    if not len(customer):
        return np.zeros(groups, np.int64)
    span = np.int64(int(customer.max()) + 1)
    counts: np.ndarray = np.bincount(sorted_unique(group * span + customer) // span, minlength=groups)
    return counts


def text_codes(values: Sequence[str | None]) -> tuple[np.ndarray, list[str]]:
    """(the code of each value: its index in the ascending list of distinct values, -1 for None; that list)."""
    import numpy as np

    distinct = sorted({v for v in values if v is not None})
    index = {v: i for i, v in enumerate(distinct)}
    return np.array([-1 if v is None else index[v] for v in values], np.int64), distinct
