#!/usr/bin/env bash
# Creates (or replaces) the Cloud Scheduler job that launches the retrain Flex Template every
# night: the same job as scheduler/retrain-nightly.json (the Cloud Scheduler REST resource), made
# with gcloud. The request body is launch/retrain.json with your project, bucket and accounts.
#
#   PROJECT=my-project REGION=europe-west1 \
#   SCHEDULER_SA=beamtrain-scheduler@my-project.iam.gserviceaccount.com \
#   templates/scheduler/create-retrain-job.sh [launch body, default templates/launch/retrain.json]
set -euo pipefail

: "${PROJECT:?set PROJECT}"
: "${REGION:?set REGION}"
: "${SCHEDULER_SA:?set SCHEDULER_SA, the service account the job calls Dataflow as}"
SCHEDULE="${SCHEDULE:-0 3 * * *}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
body="${1:-$here/../launch/retrain.json}"
uri="https://dataflow.googleapis.com/v1b3/projects/${PROJECT}/locations/${REGION}/flexTemplates:launch"

# `update http` takes other header flags than `create http`; replacing the job keeps one command.
if gcloud scheduler jobs describe beamtrain-retrain-nightly --project="$PROJECT" --location="$REGION" >/dev/null 2>&1; then
  gcloud scheduler jobs delete beamtrain-retrain-nightly --project="$PROJECT" --location="$REGION" --quiet
fi
gcloud scheduler jobs create http beamtrain-retrain-nightly \
  --project="$PROJECT" \
  --location="$REGION" \
  --schedule="$SCHEDULE" \
  --time-zone="Etc/UTC" \
  --uri="$uri" \
  --http-method=POST \
  --headers="Content-Type=application/json" \
  --message-body-from-file="$body" \
  --oauth-service-account-email="$SCHEDULER_SA" \
  --oauth-token-scope="https://www.googleapis.com/auth/cloud-platform" \
  --attempt-deadline=320s \
  --max-retry-attempts=1
