#!/usr/bin/env bash
# Stand-in for the distribution's bin/kafka-topics.sh.
exec "$(dirname "$0")/kafka-run-class.sh" org.apache.kafka.tools.TopicCommand "$@"
