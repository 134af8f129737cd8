#!/usr/bin/env bash
# Usage: run.sh [--short] [--anchor kamailio] [--out DIR] [--faults 2,8] [--answer-delay-ms N] [--trying-at-once]
# The two-site disaster drill (README.md beside this file): builds what is missing, runs as root inside network
# namespaces named shd*, and removes every process and namespace it made on exit, INT or TERM.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); repo=$(cd "$here/../.." && pwd)
[ "$(id -u)" = 0 ] || { echo "run.sh needs root (network namespaces)" >&2; exit 2; }
out="$repo/benchmarks/target/drill"; args=()
while (($#)); do
  case "$1" in
    --short) args+=(--short); shift ;;
    --anchor) [ "${2:-}" = kamailio ] || { echo "--anchor: only kamailio" >&2; exit 2; }; args+=(--anchor kamailio); shift 2 ;;
    --out) out=$2; shift 2 ;;
    --faults) args+=(--faults "$2"); shift 2 ;;
    --answer-delay-ms) args+=(--answer-delay-ms "$2"); shift 2 ;;
    --trying-at-once) args+=(--trying-at-once); shift ;;
    *) echo "usage: run.sh [--short] [--anchor kamailio] [--out DIR] [--faults 2,8] [--answer-delay-ms N] [--trying-at-once]" >&2; exit 2 ;;
  esac
done
for t in ip sipp kamailio bird birdc mariadbd mariadb-install-db garbd setpriv java; do
  command -v "$t" >/dev/null || [ -x "/usr/sbin/$t" ] || { echo "missing: $t (see README.md)" >&2; exit 2; }
done
jar=${SIPHA_JAR:-$repo/examples/target/sip-ha-proxy.jar}
if [ ! -r "$jar" ]; then
  (cd "$repo" && mvn -B -q -pl examples -am package -DskipTests -P '!fuzz')
fi
if [ ! -f "$repo/benchmarks/target/classes/org/sipha/benchmarks/drill/DrillMain.class" ]; then
  (cd "$repo" && mvn -B -q -pl benchmarks -am compile -P '!fuzz')
fi
mkdir -p "$out"
pid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true      # the drill's shutdown hook ends its children by pid
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  for ns in $(ip netns list | awk '$1 ~ /^shd/ {print $1}'); do ip netns del "$ns" || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM
java -cp "$repo/benchmarks/target/classes" org.sipha.benchmarks.drill.DrillMain "${args[@]}" --out "$out" \
  --jar "$jar" --scenarios "$here" &
pid=$!
wait "$pid"
