#!/usr/bin/env bash
# Builds the web portal (web/, TypeScript + Vite) into web/dist, which `accord serve --web
# web/dist` serves. Installs the exact dependencies of web/package-lock.json with `npm ci`, only
# when node_modules is missing or the lock file changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/../web"
stamp=node_modules/.accord-package-lock
if [ ! -d node_modules ] || ! cmp -s package-lock.json "$stamp"; then
  npm ci --no-audit --no-fund
  cp package-lock.json "$stamp"
fi
npm run build
