#!/usr/bin/env bash
# Enrich benchmark: wrk → CallBridge (sync enrich route with three targets) → the Ringba IDE
# simulator, whose three publisher numbers answer after a fixed 5, 10 and 20 ms. Reports throughput,
# p50/p99, and the p99 CallBridge adds over the slowest target (20 ms).
#   load-tests/bench-enrich.sh [--duration S] [--connections N]
# Loopback only; bounded by --duration (default 20 s). Installs wrk from Debian packages if missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION=20
CONNS=32
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --connections) CONNS="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
PORT="${BENCH_PORT:-18180}"; ADMIN="${BENCH_ADMIN_PORT:-18190}"; SIM="${BENCH_SIM_PORT:-18170}"
SLOWEST_MS=20

if ! command -v wrk >/dev/null; then
  [[ "$(id -u)" == 0 ]] || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
  apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null
fi
"$ROOT/bin/callbridge" db >/dev/null
if [[ ! -f "$ROOT/target/callbridge.jar" ]] || [[ -n "$(find "$ROOT/src/main" "$ROOT/pom.xml" -newer "$ROOT/target/callbridge.jar" -print -quit)" ]]; then
  (cd "$ROOT" && mvn -B -q -DskipTests package)
fi

WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
if [[ -n "${BENCH_KEEP:-}" ]]; then trap - EXIT; echo "keeping $WORK"; fi

cat > "$WORK/sim.yaml" <<YAML
recorder: { capacity: 1000, maxBodyBytes: 1024 }
ringba:
  enrich:
    bench-a: { latency: { fixed: 5ms } }
    bench-b: { latency: { fixed: 10ms } }
    bench-c: { latency: { fixed: ${SLOWEST_MS}ms } }
YAML
cat > "$WORK/gateway.yaml" <<YAML
server: { port: $PORT, adminPort: $ADMIN, accessLog: false, bodyLimit: 16KiB }
postgres:
  host: \${CALLBRIDGE_DB_HOST:-127.0.0.1}
  port: \${CALLBRIDGE_DB_PORT:-5432}
  database: \${CALLBRIDGE_DB_NAME:-callbridge}
  user: \${CALLBRIDGE_DB_USER:-callbridge}
  password: \${CALLBRIDGE_DB_PASSWORD:-callbridge}
templates: $ROOT/conf/templates
destinations:
  ide: { baseUrl: "http://127.0.0.1:$SIM", simulator: true, poolSize: 200, breaker: { failures: 50, window: 10s, resetTimeout: 2s } }
routes:
  - name: bench-enrich
    kind: enrich
    auth: { token: bench }
    deadline: 800ms
    mode: sync
    targets:
      - { name: a, destination: ide, template: ringba-enrich, vars: { publisher_number_id: bench-a } }
      - { name: b, destination: ide, template: ringba-enrich, vars: { publisher_number_id: bench-b } }
      - { name: c, destination: ide, template: ringba-enrich, vars: { publisher_number_id: bench-c } }
YAML
cat > "$WORK/enrich.lua" <<'LUA'
-- every request is a new call (a repeated call_uuid would be answered from the repeat window)
local n = 0
local thread_id = 0
function setup(thread) thread:set("tid", thread_id); thread_id = thread_id + 1 end
local run = ""
function init(args)
  n = 0
  math.randomseed(os.time() + tid * 7919)
  run = string.format("%d%06d", os.time(), math.random(0, 999999))  -- unique per wrk run and thread
end
request = function()
  n = n + 1
  local uuid = string.format("CA-%s-%d-%d", run, tid, n)
  local x = tid * 1000003 + n
  local caller = string.format("+1555%03d%04d", 200 + x % 800, x % 10000)  -- a valid NANP exchange (2-9XX)
  local body = string.format('{"caller_id":"%s","call_uuid":"%s","subdomain":"acme","zip":"%05d","state":"CA"}',
    caller, uuid, n % 100000)
  return wrk.format("POST", "/v1/enrich/bench-enrich", {["Content-Type"] = "application/json",
    ["X-CallBridge-Token"] = "bench"}, body)
end
LUA

JAVA_OPTS="-Xms512m -Xmx1g"
java $JAVA_OPTS -jar "$ROOT/target/callbridge.jar" sim --port "$SIM" --config "$WORK/sim.yaml" > "$WORK/sim.log" 2>&1 &
PIDS+=($!)
java $JAVA_OPTS -jar "$ROOT/target/callbridge.jar" run --config "$WORK/gateway.yaml" > "$WORK/gateway.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$ADMIN/health/ready" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -sf "http://127.0.0.1:$ADMIN/health/ready" >/dev/null || { echo "gateway did not become ready"; tail -20 "$WORK/gateway.log"; exit 1; }

URL="http://127.0.0.1:$PORT"
# Warm both JVMs gently (a cold flood would time out and open the breaker), then let any breaker
# that opened anyway reset before measuring.
echo "warm-up (8 s)…"
wrk -t1 -c2 -d4s -s "$WORK/enrich.lua" "$URL" > /dev/null
wrk -t2 -c"$CONNS" -d4s -s "$WORK/enrich.lua" "$URL" > /dev/null
sleep 6
to_ms() { # wrk prints 1.23ms, 456.78us, 1.02s
  awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub(/us$/, "", v); print v / 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v); print v + 0 } else if (v ~ /s$/) { sub(/s$/, "", v); print v * 1000 } else print v }'
}
# One wrk run: prints "rps p50 p99 non2xx".
measure() {
  wrk -t2 -c"$1" -d"${DURATION}s" --latency -s "$WORK/enrich.lua" "$URL" > "$WORK/wrk.txt"
  local rps p50 p99 errs
  rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.txt")
  p50=$(to_ms "$(awk '$1=="50%" {print $2}' "$WORK/wrk.txt")")
  p99=$(to_ms "$(awk '$1=="99%" {print $2}' "$WORK/wrk.txt")")
  errs=$(awk '/Non-2xx/ {print $5}' "$WORK/wrk.txt")
  echo "$rps $p50 $p99 ${errs:-0}"
}
echo "measuring at saturation ($DURATION s, $CONNS connections)…"
read -r RPS P50 P99 ERRS <<< "$(measure "$CONNS")"
echo "measuring at a moderate load ($DURATION s, 4 connections)…"
read -r MRPS MP50 MP99 MERRS <<< "$(measure 4)"
OUTCOMES=$(curl -s "http://127.0.0.1:$ADMIN/metrics" | awk '/^callbridge_enrich_target_outcomes_total/ && $2 > 0 {print "    " $0}')
cat <<REPORT

Enrich benchmark (sync, three targets at 5/10/${SLOWEST_MS} ms), $(nproc) cores shared by wrk, the gateway and the simulator,
load average $(cut -d' ' -f1-3 /proc/loadavg)
  saturation, $CONNS connections: $RPS requests/s, p50 $P50 ms, p99 $P99 ms (non-2xx: $ERRS);
                                  p99 added over the slowest target: $(awk -v p="$P99" -v s="$SLOWEST_MS" 'BEGIN { printf "%.1f", p - s }') ms
  moderate, 4 connections:        $MRPS requests/s, p50 $MP50 ms, p99 $MP99 ms (non-2xx: $MERRS);
                                  p99 added over the slowest target: $(awk -v p="$MP99" -v s="$SLOWEST_MS" 'BEGIN { printf "%.1f", p - s }') ms
  target outcomes (both runs and the warm-up):
$OUTCOMES
REPORT
