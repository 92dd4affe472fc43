#!/usr/bin/env bash
# CallBridge load tests (Gatling, Java DSL) against the built-in simulators, on loopback only.
#
#   load-tests/run.sh [simulation] [--rate N] [--duration S] [--ramp S]
#
# simulations: ping · enrich · lead · postback · mixed (default) · rtb-faults · all (each of the
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
set -euo pipefail

LT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$LT/.." && pwd)"

SIMULATION=mixed
RATE=""
DURATION=""
RAMP=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rate) RATE="${2:?--rate needs a value}"; shift 2 ;;
    --duration) DURATION="${2:?--duration needs a value}"; shift 2 ;;
    --ramp) RAMP="${2:?--ramp needs a value}"; shift 2 ;;
    -h|--help) sed -n 2,18p "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
  for s in ping enrich lead postback mixed; do
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
  enrich) CLASS=EnrichSimulation ;;
  lead) CLASS=LeadSimulation ;;
  postback|postbacks) CLASS=PostbackSimulation ;;
  mixed) CLASS=MixedSimulation ;;
  rtb-faults|faults) CLASS=RtbFaultsSimulation; GATEWAY_CONF="$LT/conf/gateway-faults.yaml" ;;
  *) die "unknown simulation '$SIMULATION' (ping, enrich, lead, postback, mixed, rtb-faults, all)" ;;
esac

export CALLBRIDGE_SIM_PORT="${LOADTEST_SIM_PORT:-19870}"
export CALLBRIDGE_PORT="${LOADTEST_PORT:-19880}"
export CALLBRIDGE_ADMIN_PORT="${LOADTEST_ADMIN_PORT:-19890}"
export LOADTEST_DB_SCHEMA="${LOADTEST_DB_SCHEMA:-cb_loadtest}"
[[ "$LOADTEST_DB_SCHEMA" =~ ^[a-z_][a-z0-9_]*$ ]] || die "LOADTEST_DB_SCHEMA must be a plain lower-case identifier"
TOKEN="${CALLBRIDGE_DEMO_TOKEN:-demo}"
GATEWAY="http://127.0.0.1:$CALLBRIDGE_PORT"
ADMIN="http://127.0.0.1:$CALLBRIDGE_ADMIN_PORT"

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
WORK="$LT/target/runs/$SIMULATION-$STAMP"
mkdir -p "$WORK"
SIM_PID=""
GW_PID=""
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
  stop_pid "$GW_PID" gateway
  stop_pid "$SIM_PID" simulator
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$CALLBRIDGE_SIM_PORT" "$CALLBRIDGE_PORT" "$CALLBRIDGE_ADMIN_PORT"; do
  port_free "$p" || die "port $p on 127.0.0.1 is taken (another run?): stop it, or set LOADTEST_SIM_PORT/LOADTEST_PORT/LOADTEST_ADMIN_PORT"
done
command -v curl >/dev/null || die "curl is needed: apt-get install -y curl"
command -v mvn >/dev/null || die "Maven (mvn) is needed: apt-get install -y maven"

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
  for _ in $(seq 1 120); do
    kill -0 "$GW_PID" 2>/dev/null || return 1
    kill -0 "$SIM_PID" 2>/dev/null || { tail -n 30 "$WORK/sim.log" >&2; die "the simulator exited during start-up (log: $WORK/sim.log)"; }
    if curl -fs -o /dev/null --max-time 2 "$ADMIN/health/ready" \
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
