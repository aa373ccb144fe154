# PWS-ILP map, production image: gunicorn serving the Dash app.
# Database from PWS_DATABASE_URL (e.g. postgresql+psycopg://user:pass@db/pws with PostGIS);
# without it the embedded SQLite demo under /app/var is used.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PWS_DEMO_DIR=/app/data/geo/demo_9901

WORKDIR /app
COPY pyproject.toml README.md ./
COPY layers ./layers
COPY dashboard ./dashboard
COPY data ./data
RUN pip install . \
    && useradd --create-home --uid 10001 pws \
    && mkdir -p /app/var && chown pws:pws /app/var

USER pws
EXPOSE 8050
# Loads the demo only into an empty database, applies migrations, then serves.
CMD ["sh", "-c", "pws load-demo --if-empty && exec gunicorn --bind 0.0.0.0:8050 --workers 2 --threads 4 --timeout 120 dashboard.wsgi:server"]
