"""The erasure suppression list's key and checks: for forgetting, for `track`, and for every load.

The key is IDGRAPH_SUPPRESSION_KEY; when it is unset, a random key generated on first use is kept in the store
(document `erasure.suppression_key`), which is fine for development but lets whoever reads the store test guessed
values against the list. Changing the key later makes earlier entries unrecognisable: set it before the first
erasure and keep it.
"""

from __future__ import annotations

import secrets
import threading

from api.settings import Settings
from graph import GraphStore
from graph.erasure import MIN_KEY_BYTES, SuppressionHasher
from loaders.suppression import SuppressionCheck

KEY_DOCUMENT = "erasure.suppression_key"
_lock = threading.Lock()


def suppression_hasher(settings: Settings, store: GraphStore) -> SuppressionHasher:
    """The hasher of the suppression list under the configured key (or the store's generated one)."""
    if settings.suppression_key is not None:
        key = settings.suppression_key.get_secret_value().encode()
        if len(key) < MIN_KEY_BYTES:
            raise ValueError(f"IDGRAPH_SUPPRESSION_KEY must have at least {MIN_KEY_BYTES} bytes")
        return SuppressionHasher(key)
    # Generated once per store; two processes doing it at the same instant could each store one (the last wins),
    # which is one more reason to set the key in production.
    with _lock:
        document = store.get_document(KEY_DOCUMENT)
        if document is None or not isinstance(document.get("key"), str):
            store.put_document(KEY_DOCUMENT, {"key": secrets.token_hex(32)})
            document = store.get_document(KEY_DOCUMENT)
    assert document is not None
    return SuppressionHasher(bytes.fromhex(str(document["key"])))


def load_check(settings: Settings, store: GraphStore) -> SuppressionCheck | None:
    """`LoadOptions.is_suppressed` for a file load: the store's list read once; None when it is empty."""
    entries = set(store.iter_suppressed())
    return SuppressionCheck(entries, suppression_hasher(settings, store)) if entries else None
