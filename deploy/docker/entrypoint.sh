#!/bin/sh
# One image runs every Flint service, and the one-shot provisioning job; FLINT_SERVICE picks which. A
# missing or mistyped name stops the container at once with the list of valid names, rather than node
# failing later on a missing file. The names are those of the service registry in libs/contracts; a
# deploy test fails when a registered service is missing here.
set -eu

# Provider services live in apps/providers/<name>, the others in apps/<name>.
providers="webhook poller cron file-watcher subscriber"
services="api evaluator runner"
# Runs to completion: database migrations and Kafka topics, before the services start (or upgrade).
jobs="provision"

for name in $providers; do
  if [ "${FLINT_SERVICE:-}" = "$name" ]; then
    # exec: node takes this process's place, so SIGTERM from docker/Kubernetes reaches it and drains it.
    exec node "dist/apps/providers/$name/src/main.js"
  fi
done
for name in $services $jobs; do
  if [ "${FLINT_SERVICE:-}" = "$name" ]; then
    exec node "dist/apps/$name/src/main.js"
  fi
done

echo "flint: FLINT_SERVICE is '${FLINT_SERVICE:-}', which is not a Flint service or job; set it to one of: $services $providers $jobs" >&2
exit 64
