# Tollgate on Node 24 LTS. TypeScript runs directly (Node's type stripping): no build step.
FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# Runtime dependencies only: the image's Node 24 replaces the `node` dev dependency.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY src ./src
COPY bin ./bin
COPY config ./config
USER node
EXPOSE 8787
# Mount your own config at /app/config/tollgate.yaml (or pass --config).
ENTRYPOINT ["node", "src/cli.ts"]
CMD ["serve", "--config", "config/tollgate.yaml", "--host", "0.0.0.0"]
