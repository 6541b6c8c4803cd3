# Broadsheet API image: slim, non-root, migrates at start, health-checked.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /srv

COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY samples ./samples
RUN pip install . && useradd --system --uid 10001 --home /srv broadsheet && mkdir -p /srv/data \
    && chown broadsheet /srv/data

USER broadsheet
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz').status != 200)"

# Migrations run once at start; with several replicas, run `broadsheet migrate` as a separate step instead.
CMD ["sh", "-c", "broadsheet migrate && broadsheet serve --host 0.0.0.0 --port 8000 --workers ${WORKERS:-2}"]
