# Tsunagu production image: gunicorn (web), Celery worker and beat all run from this image.
#   docker compose build && docker compose up -d      (see README "Production (docker compose)")
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    TSUNAGU_VAR_DIR=/app/var \
    WEB_CONCURRENCY=3

# WeasyPrint needs Pango; libharfbuzz-subset0 keeps a PDF at ~0.5 s instead of 7-11 s. The PDF
# font (Noto Sans JP, covers 𠮷 髙 﨑 ...) ships in static/fonts. gettext compiles messages.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
      libfontconfig1 shared-mime-info gettext \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin tsunagu

WORKDIR /app

# Dependencies first (cached while only the code changes), pinned by constraints.txt.
COPY pyproject.toml constraints.txt ./
RUN pip install -c constraints.txt . \
 && python -c "from weasyprint.text.ffi import harfbuzz_subset; assert harfbuzz_subset"

COPY --chown=tsunagu:tsunagu . .
RUN rm -rf .venv var \
 && mkdir -p var/private var/staticfiles var/celery \
 && export DJANGO_ENV=production SECRET_KEY=build-only \
 && python manage.py compilemessages -v0 --ignore=.venv \
 && python manage.py collectstatic --noinput -v0 \
 && chown -R tsunagu:tsunagu var

USER tsunagu
EXPOSE 8000

# Workers: WEB_CONCURRENCY. X-Forwarded-* is trusted from any address because the container is
# reachable only through the reverse proxy. Access logs carry the URL path only (%(U)s), never
# the query string: searches may contain a person's name.
CMD ["gunicorn", "config.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--timeout", "60", \
     "--forwarded-allow-ips", "*", \
     "--access-logfile", "-", \
     "--access-logformat", "%(t)s %(m)s %(U)s %(s)s %(B)s %(M)sms"]
