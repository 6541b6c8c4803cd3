# Broadsheet API image: slim, non-root, health-checked. One image for the API, migrations and loading.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /srv

COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY samples ./samples
RUN pip install --no-cache-dir . \
    && useradd --system --uid 10001 --home /srv broadsheet \
    && mkdir -p /srv/data \
    && chown broadsheet /srv/data

USER 10001
# `broadsheet serve` reads BROADSHEET_HOST, PORT and WORKERS; inside a container it must listen on all interfaces
# (publish it on the host's loopback, as docker-compose.yml does, or set BROADSHEET_API_KEYS).
ENV BROADSHEET_HOST=0.0.0.0 PORT=8000 WORKERS=2
EXPOSE 8000
# Start-up to a ready /readyz (imports, schema check, parser process) measured 22 s on a 2-core machine at
# load 7.7; failed probes only count after a 30 s start period.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2).status != 200)"]

# Exec form: uvicorn is PID 1 and gets SIGTERM from `docker stop`. --migrate suits one replica (the default
# SQLite file); with several, run `broadsheet migrate` as its own step (docker-compose.yml does).
CMD ["broadsheet", "serve", "--migrate"]
