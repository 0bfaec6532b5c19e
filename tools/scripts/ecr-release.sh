#!/usr/bin/env bash
# Make sure every app has an image tagged with this revision in ECR, so the CDK app can deploy one
# imageTag for all four services (deploy.yml).
#
#   ECR_REGISTRY=<account>.dkr.ecr.<region>.amazonaws.com tools/scripts/ecr-release.sh <base sha>
#
# Affected apps were just built and pushed (`nx affected -t push`). An unchanged app gets the new
# tag on the image it already has at <base> (the last deployed revision): the manifest is copied in
# ECR, nothing is rebuilt or pulled. An app with neither (first deploy) is built and pushed.
set -euo pipefail
cd "$(dirname "$0")/../.."

base_sha="${1:?usage: ecr-release.sh <base sha>}"
: "${ECR_REGISTRY:?ECR_REGISTRY is required}"
tag="$(git rev-parse --short=12 HEAD)"
base_tag="$(git rev-parse --short=12 "$base_sha")"
apps=(chat-gateway webhook-receiver enrichment-worker moderation-consumer)

manifest_of() {
  aws ecr batch-get-image --repository-name "manga-assist/$1" --image-ids "imageTag=$2" \
    --accept-media-types application/vnd.docker.distribution.manifest.v2+json application/vnd.oci.image.manifest.v1+json \
    --query 'images[0].imageManifest' --output text 2>/dev/null | grep -v '^None$' || true
}

for app in "${apps[@]}"; do
  if [[ -n "$(manifest_of "$app" "$tag")" ]]; then
    echo "manga-assist/$app:$tag pushed"
    continue
  fi
  manifest="$(manifest_of "$app" "$base_tag")"
  if [[ -n "$manifest" ]]; then
    aws ecr put-image --repository-name "manga-assist/$app" --image-tag "$tag" --image-manifest "$manifest" >/dev/null
    echo "manga-assist/$app:$tag = unchanged image of $base_tag"
  else
    echo "manga-assist/$app has no image at $base_tag: building it"
    npx nx run "$app:push"
  fi
done
