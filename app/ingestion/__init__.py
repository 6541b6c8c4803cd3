"""Bytes in, validated article out: detect → decode → parse → normalise → store."""
