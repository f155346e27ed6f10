# One image for all seven Flint services and the provisioning job; FLINT_SERVICE chooses which one a
# container runs (deploy/docker/entrypoint.sh). Build: docker build -t flint .
# Run: docker run -e FLINT_SERVICE=api ...   (FLINT_SERVICE=provision migrates and creates topics, then exits)

FROM node:24-bookworm-slim AS build
WORKDIR /app
# Dependencies first, so editing the source does not reinstall them.
COPY package.json package-lock.json ./
# @flint/sdk is an npm workspace: npm ci needs its package.json to link it.
COPY libs/sdk/package.json ./libs/sdk/package.json
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY libs ./libs
COPY apps ./apps
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    FLINT_DATA_DIR=/data/flint
WORKDIR /app
# The application files stay owned by root, so the service cannot rewrite its own code; the only
# writable place is /data (state, and the folder the file watcher is given).
RUN mkdir -p /data/flint /data/watched && chown -R node:node /data
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY examples ./examples
# User code (docs/user-code.md): mount a folder and point FLINT_WORKFLOWS_DIR (runner) or
# FLINT_FUNCTIONS_DIR (poller) at it, e.g. a ConfigMap or volume at /app/user/workflows, or build a
# derived image: FROM flint \n COPY workflows /app/user/workflows. Changed files are picked up by a restart.
COPY deploy/docker/entrypoint.sh ./deploy/docker/entrypoint.sh
# The base image's `node` user, by number: Kubernetes can verify runAsNonRoot only for a numeric user.
USER 1000:1000
EXPOSE 8080 8081 8082 8083 8084 8085 8086 8087
ENTRYPOINT ["/bin/sh", "/app/deploy/docker/entrypoint.sh"]
