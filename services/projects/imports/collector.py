"""Python's cyclic garbage collector paced by an import's batches instead of by its allocations.

An import builds and drops millions of objects, hundreds of thousands of them alive at any moment (the
batch being written, the next one mapped). The collector's automatic passes go over those again and
again (a sixth of the import's time in `python -m bench.iati_import`) and find almost nothing: about
a hundred objects in cycles per batch, everything else is freed by reference counting. So while an
import runs the automatic passes are off, and the import collects in full every `EVERY` batches:
the cyclic garbage stays bounded whatever the file's size, and the process's other requests' too.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

EVERY = 4  # batches (2,000 activities): a full pass then costs a few per cent of the import

_imports = 0  # running in this process: the first in and the last out switch the collector
_was_enabled = True


@contextmanager
def paced() -> Iterator[None]:
    """The objects from before the import set apart from its passes (they are not the import's:
    each pass would go over all of the service's modules, codelists and pools again), the
    automatic passes off; both as they were when the last import ends, whatever happened."""
    global _imports, _was_enabled
    if _imports == 0:
        _was_enabled = gc.isenabled()
        gc.freeze()
        gc.disable()
    _imports += 1
    try:
        yield
    finally:
        _imports -= 1
        if _imports == 0:
            gc.unfreeze()
            if _was_enabled:
                gc.enable()


def after_batch(done: int) -> None:
    """The full pass that the import owes every EVERY batches (`done`: batches written so far)."""
    if done % EVERY == 0:
        gc.collect()
