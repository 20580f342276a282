# Zvonok production image: gunicorn behind your TLS-terminating proxy, PostgreSQL outside.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 1000 zvonok

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Static files and translations are built into the image; the build-time key is thrown away.
# media/ exists so that a volume mounted there (docker-compose.yml) belongs to the app's user.
RUN DJANGO_SECRET_KEY=build-only python manage.py collectstatic --noinput \
    && DJANGO_SECRET_KEY=build-only python manage.py compile_translations \
    && mkdir -p /app/media \
    && chown -R zvonok:zvonok /app

USER zvonok
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
# `bin/start worker` runs a background worker from the same image (docker-compose.yml).
CMD ["bin/start"]
