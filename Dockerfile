# Tollgate on Node 24 LTS.
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
USER node
EXPOSE 8787
# bin/tollgate.js is the one source of the runtime settings (--max-semi-space-size,
# MALLOC_ARENA_MAX): its shebang sets them, as for `npm start`.
ENTRYPOINT ["/app/bin/tollgate.js"]
# config/container.yaml has no tenants: mount your own config and pass --config.
CMD ["serve", "--config", "config/container.yaml"]
