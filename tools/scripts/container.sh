#!/usr/bin/env bash
# Build or push the image of one app (what the `container` and `push` Nx targets run).
#
#   tools/scripts/container.sh build <app> <port>   # manga-assist/<app>:<rev> from dist/apps/<app>
#   tools/scripts/container.sh push <app>           # to $ECR_REGISTRY/manga-assist/<app>:<rev>
#
# <rev> = `git rev-parse --short=12 HEAD` (IMAGE_TAG overrides it, e.g. for throwaway test images).
# The repository per app and the revision tag are what the CDK app deploys; `latest` is refused.
# BASE_IMAGE picks the runtime base; when unset, tools/scripts/base-image.sh finds or makes one
# (node:24-bookworm-slim, else an offline equivalent).
set -euo pipefail
cd "$(dirname "$0")/../.."

cmd="${1:?usage: container.sh build|push <app> [port]}"
app="${2:?usage: container.sh build|push <app> [port]}"
revision="$(git rev-parse HEAD)"
# OCI source: the GitHub repository in Actions, else this clone's origin.
source_url="${IMAGE_SOURCE:-${GITHUB_REPOSITORY:+${GITHUB_SERVER_URL:-https://github.com}/$GITHUB_REPOSITORY}}"
source_url="${source_url:-$(git remote get-url origin 2>/dev/null || echo unknown)}"
tag="${IMAGE_TAG:-$(git rev-parse --short=12 HEAD)}"
if [[ "$tag" == "latest" ]]; then
  echo "container.sh: the tag 'latest' is never used: deploys name the git revision" >&2
  exit 1
fi
image="manga-assist/$app:$tag"

case "$cmd" in
  build)
    port="${3:?usage: container.sh build <app> <port>}"
    bundle="dist/apps/$app"
    if [[ ! -f "$bundle/main.js" ]]; then
      echo "container.sh: $bundle/main.js is missing (nx build $app --configuration=production)" >&2
      exit 1
    fi
    if [[ ! -f "$bundle/sbom.cdx.json" ]]; then
      echo "container.sh: $bundle/sbom.cdx.json is missing (nx run $app:sbom)" >&2
      exit 1
    fi
    base="${BASE_IMAGE:-$(tools/scripts/base-image.sh)}"
    # The context is the bundle folder alone: a few MB sent to the daemon, nothing else can leak in.
    DOCKER_BUILDKIT="${DOCKER_BUILDKIT:-0}" docker build --network host -q \
      -f apps/Dockerfile \
      --build-arg "BASE_IMAGE=$base" \
      --build-arg "APP=$app" \
      --build-arg "PORT=$port" \
      --build-arg "REVISION=$revision" \
      --build-arg "SOURCE=$source_url" \
      -t "$image" "$bundle" >/dev/null
    echo "$image ($(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1 / 1e6}'), base $base)"
    ;;
  push)
    registry="${ECR_REGISTRY:?ECR_REGISTRY (<account>.dkr.ecr.<region>.amazonaws.com) is required}"
    docker image inspect "$image" >/dev/null
    docker tag "$image" "$registry/$image"
    docker push "$registry/$image"
    ;;
  *)
    echo "container.sh: unknown command $cmd (build|push)" >&2
    exit 1
    ;;
esac
