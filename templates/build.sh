#!/usr/bin/env bash
# Builds the beamtrain Flex Templates: the jar, one container image per template (Dockerfile),
# and one template spec file per template (gcloud dataflow flex-template build).
#
#   PROJECT=my-project REGION=europe-west1 BUCKET=my-bucket templates/build.sh [name...]
#
# Images go to ${REGION}-docker.pkg.dev/${PROJECT}/${REPOSITORY:-beamtrain}/<name>:${TAG:-latest},
# specs to gs://${BUCKET}/templates/<name>.json. Names: those in templates/templates.properties
# (default: all of them).
set -euo pipefail

: "${PROJECT:?set PROJECT to the Google Cloud project}"
: "${REGION:?set REGION, e.g. europe-west1}"
: "${BUCKET:?set BUCKET to the bucket that holds the template specs}"
REPOSITORY="${REPOSITORY:-beamtrain}"
TAG="${TAG:-latest}"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"

declare -A main_class
while IFS='=' read -r name class; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  main_class["$name"]="$class"
done < "$here/templates.properties"

names=("$@")
if [[ ${#names[@]} -eq 0 ]]; then
  names=("${!main_class[@]}")
fi

(cd "$root" && mvn -B -q -DskipTests package -pl pipelines -am)

for name in "${names[@]}"; do
  class="${main_class[$name]:-}"
  if [[ -z "$class" ]]; then
    echo "unknown template '$name'; known: ${!main_class[*]}" >&2
    exit 2
  fi
  image="${REGION}-docker.pkg.dev/${PROJECT}/${REPOSITORY}/${name}:${TAG}"
  docker build -f "$here/Dockerfile" --build-arg "MAIN_CLASS=$class" -t "$image" "$root"
  docker push "$image"
  gcloud dataflow flex-template build "gs://${BUCKET}/templates/${name}.json" \
    --project="$PROJECT" \
    --image="$image" \
    --sdk-language=JAVA \
    --metadata-file="$here/metadata/${name}.json"
  echo "template ${name}: gs://${BUCKET}/templates/${name}.json (image ${image}, main ${class})"
done
