# Backer's production image: gunicorn serving Django, the same image for the
# Celery worker and beat (docker-compose.yml). Three stages, so the runtime
# image carries neither node nor a compiler: node fetches Leaflet and its
# plugins from the npm registry, the build stage installs the locked Python
# dependencies into a virtual environment and collects the static files.

# --- 1. Front-end assets from the npm registry (package-lock.json) ------------
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# --- 2. Python dependencies (requirements/base.txt, the lock) and static -----
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
COPY requirements/base.txt requirements/base.txt
RUN pip install -r requirements/base.txt
COPY . .
COPY --from=assets /app/node_modules ./node_modules
# collectstatic needs a key to import settings; this one signs nothing.
RUN pip install --no-deps . \
    && DJANGO_SECRET_KEY=collectstatic-only DJANGO_SETTINGS_MODULE=config.settings.prod \
       python manage.py collectstatic --noinput

# --- 3. Runtime: the virtual environment, the code and the collected static --
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=config.settings.prod
RUN useradd --system --uid 1000 backer
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=backer /app /app
USER backer
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "-c", "config/gunicorn.py", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
