# Tollgate on Node 24 LTS.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
RUN npm ci --no-audit --no-fund
COPY src ./src
RUN npm run build

FROM node:24-slim
ENV NODE_ENV=production
# Fewer glibc malloc arenas: less resident memory for a mostly single-threaded server.
ENV MALLOC_ARENA_MAX=2
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
# Mount your own config at /app/config/tollgate.yaml (or pass --config).
# --max-semi-space-size matches package.json's config.nodeFlags (what `npm start` uses).
ENTRYPOINT ["node", "--max-semi-space-size=8", "dist/cli.js"]
CMD ["serve", "--config", "config/tollgate.yaml", "--host", "0.0.0.0"]
