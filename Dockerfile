# The mock as an image: `docker compose up` runs two replicas on PostgreSQL behind a balancer
# (compose.yaml); alone, `docker run -p 8080:8080 IMAGE` serves the in-memory store.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml setup.py README.md ./
COPY specs ./specs
COPY mockserver ./mockserver
COPY conformance ./conformance
RUN pip install . \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin mock

USER mock
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/__admin/health', timeout=2)"]
ENTRYPOINT ["mockserver", "--host", "0.0.0.0", "--port", "8080"]
CMD []
