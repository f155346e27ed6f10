#!/bin/sh
# One image runs every Flint service; FLINT_SERVICE picks which. A missing or mistyped name stops the
# container at once with the list of valid names, rather than node failing later on a missing file.
set -eu

services="api webhook poller cron file-watcher evaluator runner"

for service in $services; do
  if [ "${FLINT_SERVICE:-}" = "$service" ]; then
    # exec: node takes this process's place, so SIGTERM from docker/Kubernetes reaches it and drains it.
    exec node "dist/apps/$service/src/main.js"
  fi
done

echo "flint: FLINT_SERVICE is '${FLINT_SERVICE:-}', which is not a Flint service; set it to one of: $services" >&2
exit 64
