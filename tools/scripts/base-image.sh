#!/usr/bin/env bash
# Make sure the runtime base of the app images exists in the local Docker engine, and print its name.
#
#   tools/scripts/base-image.sh            # prints the image to pass as --build-arg BASE_IMAGE
#
# 1. BASE_IMAGE (default node:24-bookworm-slim) already present: use it.
# 2. Else try to pull it (bounded): a registry or a mirror may be reachable.
# 3. Else make an equivalent offline (air gap, no registry): Debian bookworm minbase from the apt
#    mirror this machine already uses + the Node 24 binary the project pins (the `node` npm
#    package in node_modules) + npm if the machine has it + a `node` user (uid/gid 1000) + the
#    machine's extra CA certificates (NODE_EXTRA_CA_CERTS), tagged OFFLINE_BASE_TAG
#    (default manga-assist/node-base:24-bookworm). An existing offline base is reused when it
#    carries the same Node version.
#
# Progress goes to stderr; stdout is only the image name. Needs root (debootstrap) for step 3.
set -euo pipefail
cd "$(dirname "$0")/../.."

BASE_IMAGE="${BASE_IMAGE:-node:24-bookworm-slim}"
OFFLINE_BASE_TAG="${OFFLINE_BASE_TAG:-manga-assist/node-base:24-bookworm}"
PULL_TIMEOUT_S="${BASE_PULL_TIMEOUT_S:-60}"
log() { echo "base-image: $*" >&2; }

if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  log "$BASE_IMAGE is present"
  echo "$BASE_IMAGE"
  exit 0
fi

if [[ "${BASE_OFFLINE_ONLY:-}" != "1" ]] && timeout "$PULL_TIMEOUT_S" docker pull -q "$BASE_IMAGE" >/dev/null 2>&1; then
  log "pulled $BASE_IMAGE"
  echo "$BASE_IMAGE"
  exit 0
fi
log "$BASE_IMAGE is absent and cannot be pulled; using an offline equivalent ($OFFLINE_BASE_TAG)"

# The Node binary the project pins: node_modules/.bin/node is the `node` package's launcher.
NODE_BIN="$(node_modules/.bin/node -p 'process.execPath' 2>/dev/null || true)"
if [[ -z "$NODE_BIN" || ! -x "$NODE_BIN" ]]; then
  log "no pinned Node in node_modules (run npm ci first)"
  exit 1
fi
NODE_VERSION="$("$NODE_BIN" -p 'process.versions.node')"

existing="$(docker image inspect -f '{{ index .Config.Labels "org.manga-assist.node-version" }}' "$OFFLINE_BASE_TAG" 2>/dev/null || true)"
if [[ "$existing" == "$NODE_VERSION" ]]; then
  log "$OFFLINE_BASE_TAG is present (node $NODE_VERSION)"
  echo "$OFFLINE_BASE_TAG"
  exit 0
fi

# The apt mirror this machine uses (deb822 .sources or a classic one-line list), or DEBIAN_MIRROR.
mirror="${DEBIAN_MIRROR:-}"
if [[ -z "$mirror" ]]; then
  mirror="$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}')"
fi
if [[ -z "$mirror" ]]; then
  mirror="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
    | awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}')"
fi
mirror="${mirror:-http://deb.debian.org/debian}"

if ! command -v debootstrap >/dev/null; then
  log "installing debootstrap"
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >&2
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/manga-assist-base.XXXXXX")"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
log "debootstrap --variant=minbase bookworm from $mirror (about a minute)"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -20 "$work/debootstrap.log" >&2
  exit 1
}

install -m 0755 "$NODE_BIN" "$root/usr/local/bin/node"
# npm and npx, as the official image has them (pure JavaScript: the machine's copy runs on Node 24).
npm_dir="$(npm root -g 2>/dev/null)/npm"
if [[ -f "$npm_dir/bin/npm-cli.js" ]]; then
  mkdir -p "$root/usr/local/lib/node_modules"
  cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
fi

# The node user and group (uid/gid 1000), as in the official image.
echo 'node:x:1000:' >>"$root/etc/group"
echo 'node:x:1000:1000::/home/node:/bin/bash' >>"$root/etc/passwd"
echo 'node:*:20000:0:99999:7:::' >>"$root/etc/shadow"
mkdir -p "$root/home/node"
chown 1000:1000 "$root/home/node"

env_ca=()
if [[ -n "${NODE_EXTRA_CA_CERTS:-}" && -f "$NODE_EXTRA_CA_CERTS" ]]; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  install -m 0644 "$NODE_EXTRA_CA_CERTS" "$root/usr/local/share/ca-certificates/extra-ca.crt"
  env_ca=(--change 'ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/extra-ca.crt')
  log "extra CA certificates from $NODE_EXTRA_CA_CERTS included"
fi

# Slim like the -slim images: no package lists, caches, docs, man pages or locales.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/cache/debconf/*-old \
  "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/* \
  "$root"/var/log/* "$root"/tmp/*

log "importing as $OFFLINE_BASE_TAG"
tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=$NODE_VERSION" \
  "${env_ca[@]}" \
  --change "LABEL org.manga-assist.node-version=$NODE_VERSION" \
  --change 'LABEL org.opencontainers.image.description="Debian bookworm minbase + Node (offline node:24-bookworm-slim equivalent)"' \
  --change 'CMD ["node"]' \
  - "$OFFLINE_BASE_TAG" >&2
docker run --rm --network host "$OFFLINE_BASE_TAG" node -e 'process.exit(0)' >&2
echo "$OFFLINE_BASE_TAG"
