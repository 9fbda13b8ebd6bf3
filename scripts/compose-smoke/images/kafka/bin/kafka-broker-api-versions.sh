#!/usr/bin/env bash
# Stand-in for the distribution's bin/kafka-broker-api-versions.sh.
exec "$(dirname "$0")/kafka-run-class.sh" kafka.admin.BrokerApiVersionsCommand "$@"
