#!/bin/sh
# /usr/bin/striker: the Striker CLI and `striker serve`, on the distribution's Node.js.
# The installed configuration is read unless --config or STRIKER_CONFIG names another.
if [ -z "${STRIKER_CONFIG:-}" ] && [ -r /etc/striker/striker.yaml ]; then
  STRIKER_CONFIG=/etc/striker/striker.yaml
  export STRIKER_CONFIG
fi
exec /usr/bin/node /usr/lib/striker/bin/striker.js "$@"
