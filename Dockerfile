# Tollgate on Node 24 LTS: a build stage (TypeScript → dist/) and a runtime stage with
# production dependencies only, run as the unprivileged `node` user.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
RUN npm ci --no-audit --no-fund
COPY src ./src
RUN npm run build

FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# Runtime dependencies only: the image's Node 24 replaces the `node` dev dependency, and
# dist/ comes from the build stage (no `prepare` build here: tsc is a dev dependency).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY config ./config
# The config lives at /etc/tollgate/config.yaml: mount yours there (a file, or a directory
# such as a Kubernetes ConfigMap). The default one has no tenants, so it serves nobody.
COPY config/container.yaml /etc/tollgate/config.yaml
USER node
EXPOSE 8787
# /healthz answers 200 while the process serves; node's own fetch (slim images have no curl).
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.TOLLGATE_HEALTH_PORT || 8787) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM drains: no new connections, in-flight requests and streams finish (up to
# server.drainTimeout), then the process exits. The exec form makes node itself the
# signal's receiver; give the container a stop timeout above drainTimeout.
STOPSIGNAL SIGTERM
# bin/tollgate.js is the one source of the runtime settings (--max-semi-space-size,
# MALLOC_ARENA_MAX): its shebang sets them, as for `npm start`.
ENTRYPOINT ["/app/bin/tollgate.js"]
CMD ["serve", "--config", "/etc/tollgate/config.yaml"]
