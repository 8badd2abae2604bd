"""Garbage-collector settings for a web worker.

A page allocates some 100,000 objects. With CPython's default threshold (a young collection
every 700 allocations) the objects of the request still in use are promoted to the old
generation many times per request, and every few requests the old generation is full enough for
a full collection over everything the worker holds — 100 to 200 ms added to one request
(measured: the API list of consultations, p50 45 ms, p95 206 ms, 13 full collections in 80
requests). Collecting young objects every 50,000 allocations promotes almost nothing, and what
the worker built at start (apps, URL patterns, catalogues) is frozen out of the collector's way:
p95 69 ms, no full collection. Memory stays bounded (reference counting frees almost everything;
the collector is only for cycles).
"""

import gc

GEN0_THRESHOLD = 50_000


def tune() -> None:
    gc.collect()
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, gen1, gen2)
