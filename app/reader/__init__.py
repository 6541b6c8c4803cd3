"""Pure reading: a document's bytes and hints in, a validated article out (decode, detect, parse, normalise).

Nothing here imports storage, api, fetch, SQLAlchemy or httpx: parser worker processes import only this.
"""
