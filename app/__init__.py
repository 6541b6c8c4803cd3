"""Broadsheet: scraped news pages in, clean typed articles out, served over HTTP."""

__version__ = "0.1.0"
