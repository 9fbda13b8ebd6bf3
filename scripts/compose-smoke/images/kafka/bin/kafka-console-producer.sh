#!/usr/bin/env bash
# Stand-in for the distribution's bin/kafka-console-producer.sh.
exec "$(dirname "$0")/kafka-run-class.sh" kafka.tools.ConsoleProducer "$@"
