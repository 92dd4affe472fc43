#!/usr/bin/env bash
# CallBridge load tests (Gatling, Java DSL) against the built-in simulators, on loopback only.
#
#   load-tests/run.sh [simulation] [--rate N] [--duration S] [--ramp S] [--fleet]
#
# simulations: ping · ring-tree · enrich · lead · postback · mixed (default) · rtb-faults · all (each of the
# first five in turn). --rate is arrivals per second (mixed: the total), --duration the seconds
# held at that rate after a warm-up --ramp (default 10 s; its requests are named "warm-up ..." and
# left out of the assertions). Each simulation has its own defaults (its class in
# src/test/java/io/callbridge/load/). LOADTEST_P99_MS overrides the p99 bound of the assertions.
#
# What it does, bounded in time: builds target/callbridge.jar when missing or older than the
# sources (bin/callbridge), makes sure PostgreSQL is there (bin/callbridge db) and gives the run a
# fresh schema, compiles the Gatling project, starts the simulator and CallBridge on loopback ports
# of their own (19870 / 19880, admin 19890; LOADTEST_SIM_PORT, LOADTEST_PORT, LOADTEST_ADMIN_PORT),
# waits for /health/ready, runs the simulation, saves a /metrics scrape, stops both (also on
# Ctrl-C or an error), and prints where the HTML report is. Exit status: Gatling's (non-zero when
# an assertion broke), or 1 when something could not start.
#
# --fleet: two CallBridge instances of one deployment on the same schema (the second on the next
# ports, 19881 / 19891), behind nginx (Debian's, installed with apt-get when missing) round-robin
# on 19878 (LOADTEST_LB_PORT); Gatling talks to nginx, so a call's requests and a postback's copies
# land on either instance. The summary adds each instance's share and the outbox rows left unmatched.
set -euo pipefail

LT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$LT/.." && pwd)"

SIMULATION=mixed
FLEET=0
RATE=""
DURATION=""
RAMP=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rate) RATE="${2:?--rate needs a value}"; shift 2 ;;
    --duration) DURATION="${2:?--duration needs a value}"; shift 2 ;;
    --ramp) RAMP="${2:?--ramp needs a value}"; shift 2 ;;
    --fleet) FLEET=1; shift ;;
    -h|--help) sed -n 2,23p "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    *) SIMULATION="$1"; shift ;;
  esac
done

say() { echo "load-tests: $*" >&2; }
die() { echo "load-tests: error: $*" >&2; exit 1; }

# Bounds: a run never floods the machine or lasts long by mistake.
[[ -z "$RATE" || "$RATE" =~ ^[0-9]+([.][0-9]+)?$ ]] || die "--rate must be a number, not '$RATE'"
[[ -z "$DURATION" || "$DURATION" =~ ^[0-9]+$ ]] || die "--duration must be whole seconds, not '$DURATION'"
[[ -z "$RAMP" || "$RAMP" =~ ^[0-9]+$ ]] || die "--ramp must be whole seconds, not '$RAMP'"
if [[ -n "$RATE" ]] && awk "BEGIN{exit !($RATE <= 0 || $RATE > 2000)}"; then die "--rate must be in (0, 2000] per second"; fi
if [[ -n "$DURATION" ]] && (( DURATION < 5 || DURATION > 300 )); then die "--duration must be 5..300 s"; fi
if [[ -n "$RAMP" ]] && (( RAMP > 60 )); then die "--ramp must be 0..60 s"; fi

if [[ "$SIMULATION" == "all" ]]; then
  rc=0
  for s in ping ring-tree enrich lead postback mixed; do
    args=("$s")
    [[ -n "$RATE" ]] && args+=(--rate "$RATE")
    [[ -n "$DURATION" ]] && args+=(--duration "$DURATION")
    [[ -n "$RAMP" ]] && args+=(--ramp "$RAMP")
    "$0" "${args[@]}" || rc=1
  done
  exit "$rc"
fi

GATEWAY_CONF="$LT/conf/gateway.yaml"
SIM_CONF="$LT/conf/sim.yaml"
case "$SIMULATION" in
  ping) CLASS=PingSimulation ;;
  ring-tree) CLASS=RingTreeSimulation ;;
  enrich) CLASS=EnrichSimulation ;;
  lead) CLASS=LeadSimulation ;;
  postback|postbacks) CLASS=PostbackSimulation ;;
  mixed) CLASS=MixedSimulation ;;
  rtb-faults|faults) CLASS=RtbFaultsSimulation; GATEWAY_CONF="$LT/conf/gateway-faults.yaml" ;;
  *) die "unknown simulation '$SIMULATION' (ping, ring-tree, enrich, lead, postback, mixed, rtb-faults, all)" ;;
esac

export CALLBRIDGE_SIM_PORT="${LOADTEST_SIM_PORT:-19870}"
export CALLBRIDGE_PORT="${LOADTEST_PORT:-19880}"
export CALLBRIDGE_ADMIN_PORT="${LOADTEST_ADMIN_PORT:-19890}"
export LOADTEST_DB_SCHEMA="${LOADTEST_DB_SCHEMA:-cb_loadtest}"
[[ "$LOADTEST_DB_SCHEMA" =~ ^[a-z_][a-z0-9_]*$ ]] || die "LOADTEST_DB_SCHEMA must be a plain lower-case identifier"
TOKEN="${CALLBRIDGE_DEMO_TOKEN:-demo}"
GATEWAY="http://127.0.0.1:$CALLBRIDGE_PORT"
ADMIN="http://127.0.0.1:$CALLBRIDGE_ADMIN_PORT"
PORT_B=$(( CALLBRIDGE_PORT + 1 ))
ADMIN_PORT_B=$(( CALLBRIDGE_ADMIN_PORT + 1 ))
ADMIN_B="http://127.0.0.1:$ADMIN_PORT_B"
LB_PORT="${LOADTEST_LB_PORT:-19878}"

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
WORK="$LT/target/runs/$SIMULATION-$STAMP"
mkdir -p "$WORK"
SIM_PID=""
GW_PID=""
GW_B_PID=""
LB_PID=""
GATLING_PID=""

stop_pid() {
  local pid="$1" name="$2"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.25
  done
  say "$name (pid $pid) did not stop within 10 s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n "${GATLING_PID:-}" ]] && kill -0 "$GATLING_PID" 2>/dev/null; then
    say "stopping Gatling (process group $GATLING_PID)"
    kill -TERM -- "-$GATLING_PID" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$GATLING_PID" 2>/dev/null || break; sleep 0.25; done
    kill -KILL -- "-$GATLING_PID" 2>/dev/null || true
  fi
  stop_pid "$LB_PID" nginx
  stop_pid "$GW_B_PID" "second gateway"
  stop_pid "$GW_PID" gateway
  stop_pid "$SIM_PID" simulator
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORTS=("$CALLBRIDGE_SIM_PORT" "$CALLBRIDGE_PORT" "$CALLBRIDGE_ADMIN_PORT")
(( FLEET == 1 )) && PORTS+=("$PORT_B" "$ADMIN_PORT_B" "$LB_PORT")
for p in "${PORTS[@]}"; do
  port_free "$p" || die "port $p on 127.0.0.1 is taken (another run?): stop it, or set LOADTEST_SIM_PORT/LOADTEST_PORT/LOADTEST_ADMIN_PORT"
done
command -v curl >/dev/null || die "curl is needed: apt-get install -y curl"
command -v mvn >/dev/null || die "Maven (mvn) is needed: apt-get install -y maven"
if (( FLEET == 1 )) && ! command -v nginx >/dev/null && [[ ! -x /usr/sbin/nginx ]]; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    say "installing nginx (Debian's) for the load balancer"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx-light >/dev/null 2>&1 \
      || DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx >/dev/null 2>&1 \
      || die "could not install nginx: apt-get install -y nginx"
  else
    die "--fleet needs nginx: apt-get install -y nginx"
  fi
fi

# ---- build what is missing --------------------------------------------------------------------
say "checking $(basename "$GATEWAY_CONF") (builds target/callbridge.jar when needed)"
"$ROOT/bin/callbridge" check-config "$GATEWAY_CONF" > "$WORK/check-config.txt" 2>&1 \
  || { cat "$WORK/check-config.txt" >&2; die "the load-test configuration does not load"; }
say "compiling the Gatling project"
(cd "$LT" && mvn -B -q test-compile) > "$WORK/compile.log" 2>&1 \
  || { tail -n 40 "$WORK/compile.log" >&2; die "the Gatling project does not compile (log: $WORK/compile.log)"; }

# ---- PostgreSQL and a fresh schema ------------------------------------------------------------
"$ROOT/bin/callbridge" db
if command -v psql >/dev/null; then
  PGPASSWORD="${CALLBRIDGE_DB_PASSWORD:-callbridge}" PGCONNECT_TIMEOUT=5 psql -w -q \
    -h "${CALLBRIDGE_DB_HOST:-127.0.0.1}" -p "${CALLBRIDGE_DB_PORT:-5432}" \
    -U "${CALLBRIDGE_DB_USER:-callbridge}" -d "${CALLBRIDGE_DB_NAME:-callbridge}" \
    -c "DROP SCHEMA IF EXISTS $LOADTEST_DB_SCHEMA CASCADE" >/dev/null 2>&1 \
    || say "could not drop schema $LOADTEST_DB_SCHEMA (continuing with what is there)"
fi

# ---- simulator --------------------------------------------------------------------------------
SIM_ARGS=()
if [[ "$CLASS" == RtbFaultsSimulation ]]; then
  # The first third of the run is healthy: each buyer gets rate x duration/3 pings before its faults.
  R="${RATE:-40}"; D="${DURATION:-40}"; W="${RAMP:-10}"
  HEALTHY="$(awk "BEGIN{printf \"%d\", $R * $W / 2 + $R * $D / 3}")"
  (( HEALTHY >= 1 )) || HEALTHY=1
  SIM_CONF="$WORK/sim-faults.yaml"
  oks="$(printf 'ok, %.0s' $(seq 1 "$HEALTHY"))"
  sed "s/@HEALTHY@/${oks%, }/" "$LT/conf/sim-faults.yaml.in" > "$SIM_CONF"
  say "rtb-faults: both buyers healthy for their first $HEALTHY pings (warm-up + ~$((D / 3)) s), then A slow, B failing"
fi
say "starting the simulator on 127.0.0.1:$CALLBRIDGE_SIM_PORT ($(basename "$SIM_CONF"))"
CALLBRIDGE_JAVA_OPTS="${LOADTEST_SIM_JAVA_OPTS:--Xmx384m}" \
  "$ROOT/bin/callbridge" sim --port "$CALLBRIDGE_SIM_PORT" --config "$SIM_CONF" > "$WORK/sim.log" 2>&1 &
SIM_PID=$!

# ---- gateway ----------------------------------------------------------------------------------
start_gateway() {
  say "starting CallBridge on $GATEWAY (admin $ADMIN) with $(basename "$GATEWAY_CONF")"
  CALLBRIDGE_JAVA_OPTS="${LOADTEST_GATEWAY_JAVA_OPTS:--Xmx768m}" \
    "$ROOT/bin/callbridge" run --config "$GATEWAY_CONF" >> "$WORK/gateway.log" 2>&1 &
  GW_PID=$!
}

# Waits for readiness: 0 ready, 1 the gateway exited (a start-up can fail on a loaded machine), 2 timed out.
wait_ready() {
  local pid="${1:-$GW_PID}" admin="${2:-$ADMIN}"
  for _ in $(seq 1 120); do
    kill -0 "$pid" 2>/dev/null || return 1
    kill -0 "$SIM_PID" 2>/dev/null || { tail -n 30 "$WORK/sim.log" >&2; die "the simulator exited during start-up (log: $WORK/sim.log)"; }
    if curl -fs -o /dev/null --max-time 2 "$admin/health/ready" \
        && curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$CALLBRIDGE_SIM_PORT/_sim/state"; then
      return 0
    fi
    sleep 0.5
  done
  return 2
}

start_gateway
set +e
wait_ready
ready=$?
if (( ready == 1 )); then
  say "CallBridge exited during start-up ($(tail -n 1 "$WORK/gateway.log")); trying once more"
  sleep 2
  start_gateway
  wait_ready
  ready=$?
fi
set -e
(( ready != 1 )) || { tail -n 30 "$WORK/gateway.log" >&2; die "CallBridge exited during start-up (log: $WORK/gateway.log)"; }
(( ready == 0 )) || die "CallBridge was not ready within 60 s (log: $WORK/gateway.log)"
if (( FLEET == 1 )); then
  say "starting the second instance on 127.0.0.1:$PORT_B (admin $ADMIN_B), same deployment and schema"
  CALLBRIDGE_PORT="$PORT_B" CALLBRIDGE_ADMIN_PORT="$ADMIN_PORT_B" \
    CALLBRIDGE_JAVA_OPTS="${LOADTEST_GATEWAY_JAVA_OPTS:--Xmx768m}" \
    "$ROOT/bin/callbridge" run --config "$GATEWAY_CONF" >> "$WORK/gateway-b.log" 2>&1 &
  GW_B_PID=$!
  wait_ready "$GW_B_PID" "$ADMIN_B" || { tail -n 30 "$WORK/gateway-b.log" >&2; die "the second instance did not start (log: $WORK/gateway-b.log)"; }
  NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
  mkdir -p "$WORK/nginx"
  cat > "$WORK/nginx/nginx.conf" <<NGINX
$( [[ "$(id -u)" == 0 ]] && echo "user root;" )
worker_processes 2;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  upstream callbridge {
    server 127.0.0.1:$CALLBRIDGE_PORT;
    server 127.0.0.1:$PORT_B;
    keepalive 64;
  }
  server {
    listen 127.0.0.1:$LB_PORT;
    location / {
      proxy_pass http://callbridge;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For \$remote_addr;
      proxy_next_upstream off;
    }
  }
}
NGINX
  "$NGINX" -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" > "$WORK/nginx/stdout.log" 2>&1 &
  LB_PID=$!
  for _ in $(seq 1 40); do (exec 3<>"/dev/tcp/127.0.0.1/$LB_PORT") 2>/dev/null && break; sleep 0.25; done
  kill -0 "$LB_PID" 2>/dev/null || { cat "$WORK/nginx/error.log" >&2; die "nginx did not start"; }
  GATEWAY="http://127.0.0.1:$LB_PORT"
  say "nginx round-robin on $GATEWAY in front of both instances"
fi
say "ready; running $CLASS${RATE:+ at $RATE/s}${DURATION:+ for $DURATION s}"

# ---- Gatling ----------------------------------------------------------------------------------
PROPS=(-Dgatling.simulationClass="io.callbridge.load.$CLASS" -Dgateway="$GATEWAY" -Dadmin="$ADMIN" -Dtoken="$TOKEN")
[[ -n "$RATE" ]] && PROPS+=(-Drate="$RATE")
[[ -n "$DURATION" ]] && PROPS+=(-Dduration="$DURATION")
[[ -n "$RAMP" ]] && PROPS+=(-Dramp="$RAMP")
[[ -n "${LOADTEST_P99_MS:-}" ]] && PROPS+=(-Dp99Ms="$LOADTEST_P99_MS")
LIMIT=$(( ${RAMP:-10} + ${DURATION:-40} + 240 ))
# In its own process group (setsid) so that stopping the run stops Maven and the Gatling JVM it
# forked; waited for with `wait`, which a signal interrupts (a foreground pipeline would not be).
(cd "$LT" && exec setsid timeout --signal=TERM --kill-after=15 "$LIMIT" mvn -B gatling:test "${PROPS[@]}") \
  > "$WORK/gatling.log" 2>&1 &
GATLING_PID=$!
tail -n +1 -f --pid="$GATLING_PID" "$WORK/gatling.log" &
set +e
wait "$GATLING_PID"
GATLING_RC=$?
set -e
GATLING_PID=""
sleep 0.3
curl -s --max-time 5 "$ADMIN/metrics" > "$WORK/metrics.txt" || true
if (( FLEET == 1 )); then
  curl -s --max-time 5 "$ADMIN_B/metrics" > "$WORK/metrics-b.txt" || true
  requests() { awk '/^callbridge_route_requests_total\{/ && !/route="unmatched"/ {s += $NF} END {printf "%d", s}' "$1"; }
  depth() { awk -v st="$2" '$0 ~ "^callbridge_outbox_depth\\{status=\"" st "\"" {printf "%d", $NF; f=1} END {if (!f) printf "0"}' "$1"; }
  sleep 2 # the depth gauges refresh every 5 s; the last postbacks are delivered within the lease
  curl -s --max-time 5 "$ADMIN/metrics" > "$WORK/metrics.txt" || true
  curl -s --max-time 5 "$ADMIN_B/metrics" > "$WORK/metrics-b.txt" || true
  A_N="$(requests "$WORK/metrics.txt")"; B_N="$(requests "$WORK/metrics-b.txt")"
  total() { awk -v m="$1" -v f="$2" 'index($0, m) == 1 && $0 ~ f {s += $NF} END {printf "%d", s}' "$WORK/metrics.txt" "$WORK/metrics-b.txt"; }
  STORED=$(( $(total callbridge_postback_accepted_total '') + $(total callbridge_lead_requests_total 'result="accepted"') ))
  DELIVERED="$(total callbridge_outbox_attempts_total 'outcome="delivered"')"
  {
    echo "fleet: instance A answered $A_N requests, instance B $B_N (nginx round-robin)"
    echo "fleet: postbacks and leads stored $STORED, delivered $DELIVERED (one delivery each), copies answered as duplicates $(total callbridge_postback_duplicates_total '')"
    echo "fleet: outbox rows unmatched $(depth "$WORK/metrics.txt" unmatched), dead $(depth "$WORK/metrics.txt" dead), pending $(depth "$WORK/metrics.txt" pending) (one database: either instance's gauge)"
  } | tee "$WORK/fleet.txt"
fi

REPORT="$(grep -o 'file://[^ ]*index.html' "$WORK/gatling.log" | tail -n 1 | sed 's|^file://||')"
if [[ -z "$REPORT" ]]; then
  # shellcheck disable=SC2012
  latest="$(ls -td "$LT"/target/gatling/*/ 2>/dev/null | head -n 1)"
  [[ -n "$latest" && -f "$latest/index.html" ]] && REPORT="${latest}index.html"
fi
echo
if [[ -n "$REPORT" ]]; then
  if command -v python3 >/dev/null; then
    HELD="${DURATION:-30}"
    [[ -z "$DURATION" && "$CLASS" == RtbFaultsSimulation ]] && HELD=40
    python3 "$LT/summary.py" "$(dirname "$REPORT")" "$HELD" | tee "$WORK/summary.txt" || true
    echo
  fi
  say "HTML report: $REPORT"
else
  say "no HTML report was written (see $WORK/gatling.log)"
fi
say "logs and the final /metrics scrape: $WORK"
if (( GATLING_RC == 0 )); then
  say "$CLASS passed its assertions"
elif (( GATLING_RC == 124 || GATLING_RC == 137 )); then
  say "$CLASS was stopped after $LIMIT s"
else
  say "$CLASS FAILED (assertions broken or the run did not complete; exit $GATLING_RC)"
fi
exit "$GATLING_RC"
