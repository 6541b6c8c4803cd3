"""Parse functions for worker-pool tests; module level so spawned workers can import them."""

import os
import time

from app.ingestion.documents import Document
from app.ingestion.pool import Parsed, parse_document


def hang_or_crash(doc: Document) -> Parsed:
    if doc.name == "hang":
        time.sleep(600)
    if doc.name == "crash":
        os._exit(3)
    return parse_document(doc)
