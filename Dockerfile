FROM python:3.11-slim-bookworm

# WeasyPrint needs Pango/HarfBuzz; a CJK font is shipped in static/fonts, Noto CJK is the system fallback.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libffi8 shared-mime-info \
      fonts-noto-cjk \
 && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir .
COPY . .
# Static files are collected at build time and served by WhiteNoise (no CDN).
RUN DEBUG=false SECRET_KEY=build-only python manage.py collectstatic --noinput
RUN useradd --create-home pension && mkdir -p /data/media && chown -R pension /data /app
USER pension
EXPOSE 8000
CMD ["gunicorn", "linggao_pension.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
