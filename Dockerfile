# Multi-stage: build with dev dependencies, run with production ones only, as a non-root user.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts ./scripts
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
# DEMO=false: an image started without configuration refuses to start instead of running the demo.
ENV NODE_ENV=production PORT=8080 DATABASE_URL=sqlite:/data/gateway.sqlite MAPPINGS_DIR=/app/mappings DEMO=false
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY mappings ./mappings
RUN mkdir -p /data && chown node:node /data
USER node
# SQLite's database (and its -wal/-shm) live here: mount a volume, or the payments die with the container.
VOLUME ["/data"]
# 8080: merchants (legacy paths, webhooks). 9090: operator listener (metrics, readiness details);
# it binds ADMIN_HOST, loopback by default: set ADMIN_HOST=0.0.0.0 and ADMIN_TOKEN to scrape it.
EXPOSE 8080 9090
# Ready = the database and UnivaPay answer (not just "the process runs"). An orchestrator that
# restarts unhealthy containers should probe /healthz for liveness instead: a UnivaPay outage is not
# cured by a restart, and a restart cuts payments in flight.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "require('http').get('http://127.0.0.1:'+(process.env.PORT||8080)+'/readyz',r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"
# Same node flags as package.json's start script (a test keeps them equal); why: README "Decisions".
CMD ["node", "--max-semi-space-size=32", "dist/src/main.js"]
