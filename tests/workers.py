"""Parse functions for worker-pool tests; module level so spawned workers can import them."""

import os
import time

from app.fetch.client import Fetcher
from app.ingestion.bulk import Parsed, parse_document
from app.ingestion.documents import Document


def hang_or_crash(doc: Document, fetcher: Fetcher | None) -> Parsed:
    if doc.name == "hang":
        time.sleep(600)
    if doc.name == "crash":
        os._exit(3)
    return parse_document(doc, fetcher)
