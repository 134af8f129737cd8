#!/usr/bin/env bash
# Usage: run.sh [sip-ha | kamailio]...   (default: both)
# Runs Attacks.java against each proxy on 127.0.0.1:5060 (PBXs :5081/:5082 played by Attacks.java, caller :5071,
# attacker 127.0.0.2:5072, third party :5099 UDP+TCP) and prints one line per attack and proxy.
# sip-ha: examples/target/sip-ha-proxy.jar (or $SIPHA_JAR) with its defaults; kamailio: ../load/kamailio.cfg (the load harness's).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); repo=$(cd "$here/../.." && pwd)
targets=("$@"); ((${#targets[@]})) || targets=(sip-ha kamailio)
for p in 5060 5071 5081 5082 5099; do
  if ss -Hlun "sport = :$p" | grep -q . || ss -Hltn "sport = :$p" | grep -q .; then echo "port $p is bound" >&2; exit 2; fi
done
tmp=$(mktemp -d /tmp/sipattacks.XXXXXX)
for t in "${targets[@]}"; do
  case "$t" in
    sip-ha)
      jar=${SIPHA_JAR:-$repo/examples/target/sip-ha-proxy.jar}
      [ -r "$jar" ] || { echo "$jar missing (mvn -B -q -DskipTests package)" >&2; exit 3; }
      cmd=(java -jar "$jar" --listen udp:127.0.0.1:5060 --backend sip:127.0.0.1:5081 --backend sip:127.0.0.1:5082) ;;
    kamailio)
      mpath=$(ls -d /usr/lib/*/kamailio/modules /usr/lib/kamailio/modules 2>/dev/null | head -1 || true)
      sed -e "s#DSLIST#$repo/benchmarks/load/dispatcher.list#" -e "s#\"ALG\"#\"4\"#" -e "s#MPATH#$mpath#" \
        "$repo/benchmarks/load/kamailio.cfg" > "$tmp/k.cfg"
      # -DD: stay in the foreground as Attacks.java's child, so it can end it (and its workers) by pid
      cmd=(kamailio -DD -E -x tlsf -X tlsf -m 256 -M 32 -f "$tmp/k.cfg" -Y "$tmp" -w "$tmp") ;;
    *) echo "unknown target $t" >&2; exit 2 ;;
  esac
  timeout 300 java -Djava.io.tmpdir="$tmp" "$here/Attacks.java" "$t" "${cmd[@]}"
done
rm -rf "$tmp"
