# Kollegium in one image: the server (built to plain JavaScript) and the built client it serves.
#   docker build -t kollegium .
#   docker run -p 3000:3000 -v kollegium-data:/app/data kollegium      (one process, embedded database)
# Several processes behind nginx: docker-compose.yml and docs/deployment.md.

# Stage 1: build the client and the server (needs the dev dependencies: Vite, esbuild and friends).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json ./
COPY shared/package.json shared/
COPY server/package.json server/
COPY client/package.json client/
COPY tests/package.json tests/
RUN npm ci --no-audit --no-fund
COPY shared shared
COPY client client
COPY server server
RUN npm run build

# Stage 2: what runs, with the runtime dependencies only.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# Every workspace's package.json: npm ci checks them against the lock file.
COPY package.json package-lock.json tsconfig.base.json ./
COPY shared/package.json shared/
COPY server/package.json server/
COPY client/package.json client/
COPY tests/package.json tests/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# The server bundle contains the shared package; it needs node_modules and its migrations.
COPY server/migrations server/migrations
COPY --from=build /app/server/dist server/dist
COPY --from=build /app/client/dist client/dist
# The embedded database (used when DATABASE_URL is not set) keeps its files here: mount a volume.
RUN mkdir -p data && chown node:node data
ENV PORT=3000
EXPOSE 3000
USER node
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Node itself is PID 1: `docker stop` sends SIGTERM to the server, which shuts down gracefully
# (no npm or shell in between to swallow the signal).
CMD ["node", "--max-semi-space-size=64", "server/dist/main.js"]
