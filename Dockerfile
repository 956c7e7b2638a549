# The idgraph API. Configure it with IDGRAPH_* environment variables (see README, "Configuration").
FROM python:3.11-slim

WORKDIR /app
COPY pyproject.toml README.md ./
COPY graph graph
COPY resolver resolver
COPY loaders loaders
COPY api api
RUN pip install --no-cache-dir . \
    && useradd --system --uid 10001 --home-dir /data --create-home idgraph

USER idgraph
ENV IDGRAPH_STORE=sqlite:////data/idgraph.db
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=5 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"]
CMD ["idgraph", "serve", "--host", "0.0.0.0", "--port", "8000"]
