#!/bin/sh
# The official image's contract: `docker run node:20 script.js` or `… -e code` runs node;
# a command that exists (npm, sh, …) runs as given.
set -e
if [ "${1#-}" != "$1" ] || [ -z "$(command -v "$1" || true)" ] || { [ -f "$1" ] && ! [ -x "$1" ]; }; then
  set -- node "$@"
fi
exec "$@"
