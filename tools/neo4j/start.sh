#!/usr/bin/env bash
# Starts a throwaway Neo4j 5.26 (neo4j-harness, in-process, auth off) with Bolt on 127.0.0.1 and prints
# `NEO4J_READY bolt://127.0.0.1:<port>` once Bolt accepts connections. Builds the launcher on first use
# (Maven, offline when ~/.m2 already holds the artifacts). Stops on SIGTERM/SIGINT, and with --watch-stdin
# when its standard input closes. Arguments go to the launcher: [--port N] [--watch-stdin].
set -euo pipefail
cd "$(dirname "$0")"

for tool in java javac mvn; do
  command -v "$tool" >/dev/null || { echo "tools/neo4j: $tool is not installed (apt-get install -y maven openjdk-17-jdk-headless)" >&2; exit 69; }
done

stale() {
  [ ! -s target/classpath.txt ] || [ ! -d target/classes/com ] || [ pom.xml -nt target/classpath.txt ] ||
    [ -n "$(find src -newer target/classpath.txt -print -quit)" ]
}

if stale; then
  # Build output goes to stderr so stdout carries only the READY line.
  if ! mvn -q -B -o compile dependency:build-classpath >&2 2>/dev/null; then
    echo "tools/neo4j: building the launcher (first run downloads Neo4j from Maven Central, ~140 MB)" >&2
    mvn -q -B compile dependency:build-classpath >&2
  fi
fi

# NEO4J_JAVA_OPTS adds JVM flags (e.g. -XX:TieredStopAtLevel=1 starts ~25% faster, runs queries slower).
exec java -Xmx1g -XX:+UseSerialGC ${NEO4J_JAVA_OPTS:-} -cp "target/classes:$(cat target/classpath.txt)" com.optimaliq.neo4j.Launcher "$@"
