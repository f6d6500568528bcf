# Shared by scripts/test and scripts/sandbox: install what is missing, never more.

# npm ci when node_modules is missing or older than the lockfile (a pull changed dependencies).
ensure_dependencies() {
  local marker=node_modules/.package-lock.json
  # A worktree whose node_modules links to another checkout's: npm ci would empty the linked
  # folder (every checkout sharing it loses its dependencies). Install in that checkout instead.
  if [[ -L node_modules ]]; then
    [[ -f $marker ]] || echo "node_modules links to $(readlink node_modules), which has no installed dependencies: run npm ci there" >&2
    return 0
  fi
  if [[ ! -f $marker || package-lock.json -nt $marker ]]; then
    echo "── installing dependencies (npm ci)"
    npm ci --no-audit --no-fund || return 1
  fi
}

# A self-signed certificate for the F&O emulator's https endpoints (MSAL accepts only https
# authorities). Node reads NODE_EXTRA_CA_CERTS at start, so it is exported before any node runs.
ensure_dev_certificate() {
  local dir="$ROOT/.tmp/tls"
  mkdir -p "$dir"
  if [[ ! -s $dir/dev-cert.pem || ! -s $dir/dev-key.pem ]]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=localhost" \
      -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
      -keyout "$dir/dev-key.pem" -out "$dir/dev-cert.pem" >/dev/null 2>&1
  fi
  export NODE_EXTRA_CA_CERTS="$dir/dev-cert.pem"
}

# PostgreSQL-backed tests read DATABASE_URL; set it when the local server answers (start it if
# it is installed but stopped). Without it those tests fail (scripts/test also counts one failed
# check), and this says why first.
ensure_database_url() {
  [[ -n ${DATABASE_URL:-} ]] && return 0
  if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null && command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start >/dev/null 2>&1 || true
    sleep 1
  fi
  if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/test"
  else
    echo "error: PostgreSQL is not answering on 127.0.0.1:5432 and DATABASE_URL is not set; the PostgreSQL tests will fail" >&2
    echo "       (start it, or set DATABASE_URL=postgres://user@host:5432/db; docs/jobs.md, Storage choice)" >&2
  fi
}
