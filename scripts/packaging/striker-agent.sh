#!/bin/sh
# /usr/bin/striker-agent: the Striker host agent, one bundled ES module on the distribution's Node.js.
exec /usr/bin/node /usr/lib/striker-agent/striker-agent.mjs "$@"
