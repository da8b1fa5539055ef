# syntax=docker/dockerfile:1
# One image for the four StreamStock services and the migrations. The command picks what runs,
# exactly as the local stack runs it (tools/devstack/stack.py):
#   python -m services.<inventory|riskcontrol|alerting|sync>
#   python -m services.runtime.migrate [--check --wait SECONDS]
# Build and publish: deploy/README.md. Tests parse this file (tests/deploy/test_dockerfile.py).

# The interpreter the project is developed and tested on (pyproject: >=3.11,<3.12).
FROM python:3.11.7-slim-bookworm AS build
# uv at the version the Makefile installs; the lock file decides every other package.
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /app
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
# The locked dependencies first, so that a code change does not reinstall them.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY gen ./gen
COPY services ./services
COPY tools ./tools
# The project itself as a wheel in the venv: the runtime stage needs nothing but /app/.venv.
RUN uv sync --frozen --no-dev --no-editable

FROM python:3.11.7-slim-bookworm AS runtime
COPY --from=build /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    STREAMSTOCK_GRPC_HOST=0.0.0.0 \
    STREAMSTOCK_GRPC_PORT=50051 \
    STREAMSTOCK_METRICS_PORT=9464
WORKDIR /app
# A numeric user that owns nothing in the image; Kubernetes runs it with a read-only root.
USER 10001:10001
EXPOSE 50051 9464
ENTRYPOINT ["python", "-m"]
CMD ["services.inventory"]
