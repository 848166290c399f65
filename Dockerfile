# Backer's production image: gunicorn serving Django, the same image for the
# Celery worker and beat (docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=config.settings.prod

RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY config ./config
COPY places ./places
COPY partners ./partners
COPY matching ./matching
COPY maps ./maps
COPY manage.py ./
COPY package*.json ./
RUN pip install . && if [ -f package.json ]; then npm ci --omit=dev --no-audit --no-fund; fi

# collectstatic needs a key to import settings; this one signs nothing.
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput

RUN useradd --system --uid 1000 backer && chown -R backer /app
USER backer
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
