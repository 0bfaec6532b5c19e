#!/usr/bin/env bash
# The container test (`npx nx run e2e:container-test`): the four images, built as CI builds them,
# run as deployed against the local stack (tools/e2e/src/containers.container-test.ts).
#
# Installs docker.io if there is no Docker engine, starts dockerd if none is running (and stops it
# afterwards), makes the base image if it is missing (tools/scripts/base-image.sh), builds the four
# images with throwaway tags through the `container` targets, runs the test, then removes the
# containers and images it made (the base too if it made it, unless CONTAINER_TEST_KEEP_BASE=1).
# dockerd runs without a bridge network or iptables changes: every container uses --network host.
set -euo pipefail
cd "$(dirname "$0")/../.."

apps=(chat-gateway webhook-receiver enrichment-worker moderation-consumer)
export IMAGE_TAG="ct-$(date +%s)-$$"
work="tmp/container-test"
mkdir -p "$work"
started_dockerd=""
made_base=""
log() { echo "[container-test] $*"; }

cleanup() {
  local code=$?
  if docker info >/dev/null 2>&1; then
    ids="$(docker ps -aq --filter "label=org.manga-assist.container-test=$IMAGE_TAG")"
    [[ -n "$ids" ]] && docker rm -f $ids >/dev/null || true
    for app in "${apps[@]}"; do docker rmi -f "manga-assist/$app:$IMAGE_TAG" >/dev/null 2>&1 || true; done
    if [[ -n "$made_base" && "${CONTAINER_TEST_KEEP_BASE:-}" != "1" ]]; then
      docker rmi -f "$made_base" >/dev/null 2>&1 || true
      log "removed the base image it made ($made_base)"
    fi
  fi
  if [[ -n "$started_dockerd" ]]; then
    kill "$started_dockerd" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$started_dockerd" 2>/dev/null || break; sleep 0.2; done
    log "stopped the dockerd it started (pid $started_dockerd)"
  fi
  log "finished in $((SECONDS))s with exit code $code"
  exit "$code"
}
trap cleanup EXIT

if ! command -v dockerd >/dev/null && ! docker info >/dev/null 2>&1; then
  log "no Docker engine: installing docker.io"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi
if ! docker info >/dev/null 2>&1; then
  log "starting dockerd (no bridge, no iptables; log: $work/dockerd.log)"
  dockerd --bridge=none --iptables=false --ip-masq=false --ip-forward=false >"$work/dockerd.log" 2>&1 &
  started_dockerd=$!
  for _ in $(seq 1 150); do docker info >/dev/null 2>&1 && break; sleep 0.2; done
  docker info >/dev/null 2>&1 || { tail -20 "$work/dockerd.log"; exit 1; }
fi

if [[ -z "${BASE_IMAGE:-}" ]]; then
  offline="${OFFLINE_BASE_TAG:-manga-assist/node-base:24-bookworm}"
  had_offline="$(docker image inspect "$offline" >/dev/null 2>&1 && echo yes || true)"
  BASE_IMAGE="$(tools/scripts/base-image.sh)"
  [[ "$BASE_IMAGE" == "$offline" && -z "$had_offline" ]] && made_base="$offline"
fi
export BASE_IMAGE
log "base image: $BASE_IMAGE; image tag: $IMAGE_TAG"

t0=$SECONDS
npx nx run-many -t container -p "${apps[@]}" --outputStyle=static
log "bundles + images in $((SECONDS - t0))s"
for app in "${apps[@]}"; do
  log "manga-assist/$app:$IMAGE_TAG $(docker image inspect -f '{{.Size}}' "manga-assist/$app:$IMAGE_TAG" | awk '{printf "%.1f MB", $1 / 1e6}')"
done

t0=$SECONDS
npx jest -c tools/e2e/jest.container.config.cjs --runInBand
log "containers tested in $((SECONDS - t0))s"
