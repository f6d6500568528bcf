# The proxy's container image. Multi-stage: the build stage installs the production
# dependencies plus only the compiler and the type packages compiling needs (never the
# development tree: no Salesforce CLI, no test tools), the runtime stage copies the production
# dependencies and the compiled proxy, and runs as the unprivileged `node` user under an init
# process with a healthcheck. Only package.json, the lockfile, the tsconfigs and proxy/src
# enter the build context (.dockerignore).
#
# Base image: Node.js 22 LTS on Debian 12 (bookworm), an exact release; the proxy's runtime
# dependencies need Node >= 22. Pin the digest too (docs/deployment.md, "Pinning the base image"):
#   docker build --build-arg NODE_IMAGE=node:22.23.3-bookworm-slim@sha256:<digest> .
ARG NODE_IMAGE=node:22.23.3-bookworm-slim

FROM ${NODE_IMAGE} AS build
# better-sqlite3 compiles from source when no prebuilt binary can be fetched.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /build/app
COPY package.json package-lock.json ./
# The compiler and the type packages, at the versions package.json pins, in /build/node_modules:
# outside the app's own node_modules (so they never reach the runtime stage) but on its module
# resolution path (Node and TypeScript look in every parent folder).
RUN cd /build && npm install --no-save --no-package-lock --no-audit --no-fund \
    $(node -p "const d = require('./app/package.json').devDependencies; ['typescript', '@types/node', '@types/better-sqlite3', '@types/pg'].map((n) => n + '@' + d[n]).join(' ')")
# Production dependencies only, exactly as locked.
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY proxy/src proxy/src
RUN ../node_modules/.bin/tsc -p tsconfig.build.json && chmod +x proxy/dist/cli/main.js

FROM ${NODE_IMAGE}
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 STORE_URL=sqlite:/data/bridge.db
RUN apt-get update && apt-get install -y --no-install-recommends dumb-init && rm -rf /var/lib/apt/lists/* \
  && mkdir -p /data && chown node:node /data
WORKDIR /app
COPY --from=build --chown=node:node /build/app/node_modules node_modules
COPY --from=build --chown=node:node /build/app/proxy/dist proxy/dist
COPY --chown=node:node package.json ./
# The operators' CLI (fo-bridge dead-letters …), on PATH: `docker exec <container> fo-bridge --help`.
RUN ln -s /app/proxy/dist/cli/main.js /usr/local/bin/fo-bridge
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["dumb-init", "--"]
# The same command as `npm start` (package.json; test/repository/container.test.ts holds them
# equal). V8's young generation capped at 4 MB semi-spaces: the proxy's resident memory under
# load stays under 150 MB, at no measurable cost (docs/deployment.md, "Memory").
CMD ["node", "--max-semi-space-size=4", "proxy/dist/main.js"]
