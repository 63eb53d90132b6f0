# syntax=docker/dockerfile:1
# metricops: one image, one CLI (`metricops webhook`, `metricops feedback`, `metricops compile`, ...).
#   docker build -t ghcr.io/metricops/metricops:0.1.0 .      (or: buildah bud -t ... .)
# The base is pinned to an exact Node release. To pin it immutably, resolve its digest and append it:
#   docker buildx imagetools inspect node:22.21.1-bookworm-slim   (or: crane digest / skopeo inspect)
#   ARG NODE_IMAGE=node:22.21.1-bookworm-slim@sha256:<digest>
ARG NODE_IMAGE=node:22.21.1-bookworm-slim

# Build: all dependencies, TypeScript compiled to dist/.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# `npm ci`: exactly the locked versions. --ignore-scripts: `prepare` would build before the sources are here; the
# build runs below.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY cli ./cli
COPY common ./common
COPY slo-compiler ./slo-compiler
COPY webhook ./webhook
COPY feedback-pipeline ./feedback-pipeline
COPY examples ./examples
COPY bench ./bench
RUN npx tsc -p tsconfig.build.json

# Runtime: production dependencies only, git for the audit log and GitOps write-back (simple-git runs it),
# tini as PID 1 so SIGTERM reaches node and zombies (git children) are reaped.
FROM ${NODE_IMAGE} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends git openssh-client ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY bin ./bin
RUN chmod 0755 bin/metricops.js && ln -s /app/bin/metricops.js /usr/local/bin/metricops
# The distroless "nonroot" uid/gid; the manifests run as the same numbers (runAsUser/runAsGroup 65532).
USER 65532:65532
ENTRYPOINT ["/usr/bin/tini", "--", "metricops"]
CMD ["--help"]
