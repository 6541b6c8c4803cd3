"""The flows: fetch, read (in time-limited worker processes) and store articles, one by one or in bulk."""
