# customer-service image: compiled once in a build stage, run from a slim Node 20 image with
# production dependencies only, as the non-root `node` user.
#
#   docker build -t customer-service .
#   docker run --rm -p 3000:3000 -p 127.0.0.1:3001:3001 \
#     -e DATABASE_URL=postgres://user:password@db:5432/customer_service \
#     -e KAFKA_BROKERS=kafka:9092 customer-service
#
# Configuration is environment only (docs/configuration.md); DATABASE_URL and KAFKA_BROKERS
# are required in a container (the embedded PostgreSQL / Maven-fetched Kafka of `npm start`
# are dev tooling and are not in this image).
#
# Why --ignore-scripts on every install: no runtime dependency needs an install script. The
# only packages that have one are embedded-postgres's binaries (dev-only) and the funding /
# telemetry hooks of @nestjs/core, nestjs-pino and @scarf/scarf, which package.json's
# `allowScripts` already denies. (That `allowScripts` section is read by npm 11; the npm 10
# bundled with node:20 ignores it.)

ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: full dependency tree, then `nest build` (tsc) -----------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# `npm ls` fails when a dependency is missing: npm 10 can end `npm ci` with "Exit handler never
# called!" and status 0 before it has installed everything (npm/cli#7666), and that layer
# would then be cached.
RUN npm ci --ignore-scripts --no-audit --no-fund && npm ls --depth=0 > /dev/null
COPY nest-cli.json tsconfig.json ./
COPY apps ./apps
COPY libs ./libs
RUN npm run build

# --- prod-deps: runtime dependencies only, cached on the lockfile alone ---------------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm ls --omit=dev --depth=0 > /dev/null \
  && npm cache clean --force

# --- runtime ------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    MANAGEMENT_PORT=3001 \
    HOST=0.0.0.0
WORKDIR /app
# Owned by root and only readable by `node`: the process cannot rewrite its own code. It
# writes nothing to disk (logs go to stdout, state to PostgreSQL and Kafka).
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# Two small tools for the Compose stack: the one-shot that creates the stack's JWT secret
# (docker-compose.yml, service auth-secret) and the demo token minter
# (`docker compose exec customer-service node scripts/token.mjs --counterparty <guid>`).
COPY scripts/jwt-secret-file.mjs scripts/token.mjs scripts/dev-auth.mjs ./scripts/
# The one place the image's user may write: the mount point of the Compose stack's secret
# volume (a new named volume takes this directory's owner and mode).
RUN install -d -o node -g node -m 0700 /var/lib/customer-service
USER node
# 3000: the API; 3001: health probes, /metrics and OpenAPI (keep it off the public network).
EXPOSE 3000 3001
# Exec form: SIGTERM reaches Node itself and Nest's shutdown hooks stop the roles cleanly.
# (Under Compose, `init: true` puts a tiny init in front, so a signal during start-up, before
# those hooks exist, still stops the process.)
CMD ["node", "--enable-source-maps", "dist/apps/customer-service/src/main.js"]
