#!/usr/bin/env bash
# Ping/post benchmark: CallBridge against nginx, same machine, same run, same wrk settings.
#
#   (A) wrk -> nginx proxy_pass -> upstream returning a fixed Ringba bid JSON
#   (B) wrk -> CallBridge ping route (one RTB target) -> the same upstream
#   (U) wrk -> the upstream directly (the floor both add to)
#
# Then a paced run of (B) and (U) at half of CallBridge's saturation throughput: CallBridge's
# added p99 there. Goals (issue 6): throughput(B) >= 0.75 x throughput(A), p99(B) <= 1.5 x p99(A),
# added p99 <= 2 ms. Everything on loopback; bounded in time (about 4 minutes by default).
#
# usage: load-tests/bench-ping.sh [--duration 20s] [--warmup 40s] [--connections 64] [--threads 2] [--report FILE]
# Installs nginx and wrk from Debian packages when missing (as root). Needs PostgreSQL as
# `bin/callbridge db` prepares it (CallBridge migrates its schema at start).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION=20s
WARMUP=40s
CONNECTIONS=64
THREADS=2
REPORT="$ROOT/target/bench-ping-report.md"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --report) REPORT="$2"; shift 2 ;;
    -h|--help) sed -n 2,17p "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

export BENCH_UPSTREAM_PORT=18081 BENCH_CB_PORT=18090 BENCH_CB_ADMIN_PORT=18091
PROXY_PORT=18080
WORK="$(mktemp -d /tmp/bench-ping.XXXXXX)"
PIDS=()
say() { echo "bench-ping: $*" >&2; }

cleanup() {
  for p in "${PIDS[@]:-}"; do
    [[ -n "$p" ]] && kill "$p" 2>/dev/null || true
  done
  for f in "$WORK"/*/nginx.pid; do [[ -f "$f" ]] && kill "$(cat "$f")" 2>/dev/null || true; done
  sleep 0.5
  rm -rf "$WORK"
}
trap cleanup EXIT

# ---- tools ------------------------------------------------------------------------------------
missing=()
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
command -v wrk >/dev/null || missing+=(wrk)
if [[ ${#missing[@]} -gt 0 ]]; then
  [[ "$(id -u)" == "0" ]] || { say "missing ${missing[*]}: apt-get install -y ${missing[*]} (as root)"; exit 1; }
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

# ---- the upstream and the nginx proxy: two nginx instances, so each one's CPU can be measured ---
# A fixed accepted bid in the captured shape; its expiry is far ahead so it is always live.
BID='{"bidId":"RTBe983e428edc946a3863bcc912b828927","bidAmount":4.2,"expireInSeconds":60,"bidExpireDT":"1/1/2100 12:00:00 AM +00:00","bidExpireEpoch":4102444800000,"phoneNumber":"+17733408913","phoneNumberNoPlus":"17733408913","sipAddress":"RTBe983e428edc946a3863bcc912b828927@rtb.ringba.sip.telnyx.com","warnings":[]}'
NPROC="$(nproc)"
nginx_conf() { # name, server block
  mkdir -p "$WORK/$1"
  cat > "$WORK/$1/nginx.conf" <<NGINX
worker_processes $NPROC;
pid $WORK/$1/nginx.pid;
error_log $WORK/$1/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $WORK/$1/body;
  proxy_temp_path $WORK/$1/proxy;
  $2
}
NGINX
  "$NGINX" -c "$WORK/$1/nginx.conf" -p "$WORK/$1" -g 'daemon on;'
}
nginx_conf upstream "server { listen 127.0.0.1:$BENCH_UPSTREAM_PORT;
    location / { default_type application/json; return 200 '$BID'; } }"
nginx_conf proxy "upstream rtb { server 127.0.0.1:$BENCH_UPSTREAM_PORT; keepalive 256; }
  server { listen 127.0.0.1:$PROXY_PORT;
    location / { proxy_pass http://rtb; proxy_http_version 1.1; proxy_set_header Connection \"\"; } }"
sleep 0.5
NGINX_PROXY_PIDS="$(pgrep -P "$(cat "$WORK/proxy/nginx.pid")" | tr '\n' ' ') $(cat "$WORK/proxy/nginx.pid")"

# ---- CallBridge -------------------------------------------------------------------------------
"$ROOT/bin/callbridge" db >/dev/null
JAR="$ROOT/target/callbridge.jar"
if [[ ! -f "$JAR" ]] || [[ -n "$(find "$ROOT/src/main" "$ROOT/pom.xml" -newer "$JAR" -print -quit)" ]]; then
  say "building $JAR"
  (cd "$ROOT" && mvn -B -q -DskipTests package)
fi
java -Xms512m -Xmx512m -XX:+UseParallelGC -XX:+AlwaysPreTouch -jar "$JAR" run --config "$ROOT/load-tests/bench-ping.yaml" \
  > "$WORK/callbridge.log" 2>&1 &
CB_PID=$!
PIDS+=($CB_PID)
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$BENCH_CB_ADMIN_PORT/health/ready" >/dev/null 2>&1 && break
  sleep 0.25
done
curl -sf "http://127.0.0.1:$BENCH_CB_ADMIN_PORT/health/ready" >/dev/null || { cat "$WORK/callbridge.log" >&2; say "CallBridge did not start"; exit 1; }

# ---- wrk --------------------------------------------------------------------------------------
BODY='{"caller_id":"+15557779999","call_uuid":"CA0123456789abcdef","subdomain":"acme","zip":"90210","state":"CA"}'
cat > "$WORK/ping.lua" <<LUA
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-CallBridge-Token"] = "bench"
pace = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
if pace > 0 then
  function delay() return pace end
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.1f p50=%.3f p99=%.3f errors=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.errors.status))
end
LUA

check() {
  local url="$1" out
  out="$(curl -s -X POST -H 'Content-Type: application/json' -H 'X-CallBridge-Token: bench' -d "$BODY" "$url")"
  [[ "$out" == *'"bidAmount"'* || "$out" == *'"bid_amount"'* ]] || { say "unexpected answer from $url: $out"; exit 1; }
}
check "http://127.0.0.1:$PROXY_PORT/v1/ping/bench"
check "http://127.0.0.1:$BENCH_CB_PORT/v1/ping/bench"
check "http://127.0.0.1:$BENCH_UPSTREAM_PORT/v1/production/bench.json"

# CPU time (ms) of processes, from /proc (utime + stime, in clock ticks).
cpu_ms() { local t=0 p; for p in "$@"; do [[ -r /proc/$p/stat ]] && t=$((t + $(awk '{print $14+$15}' /proc/$p/stat))); done; echo $((t * 1000 / $(getconf CLK_TCK))); }

# run NAME URL [DELAY_MS] [PIDS...] -> sets R_rps R_p50 R_p99 (ms) and R_cpu (CPU µs per request of PIDS)
run() {
  local name="$1" url="$2" delay="${3:-0}" line c0 c1 n
  shift 3 || shift $#
  c0="$(cpu_ms "$@")"
  line="$(BENCH_DELAY_MS="$delay" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 5s -s "$WORK/ping.lua" "$url" \
    | tee "$WORK/wrk-$name.txt" | grep '^RESULT')"
  c1="$(cpu_ms "$@")"
  R_rps="$(sed -E 's/.*rps=([0-9.]+).*/\1/' <<<"$line")"
  R_p50="$(sed -E 's/.*p50=([0-9.]+).*/\1/' <<<"$line")"
  R_p99="$(sed -E 's/.*p99=([0-9.]+).*/\1/' <<<"$line")"
  n="$(awk '/requests in/{print $1}' "$WORK/wrk-$name.txt")"
  R_cpu="$(awk -v c="$((c1 - c0))" -v n="$n" 'BEGIN{ if (n>0) printf "%.0f", c*1000/n; else print "n/a" }')"
  local errs; errs="$(sed -E 's/.*errors=([0-9]+) non2xx=([0-9]+).*/\1+\2/' <<<"$line")"
  say "$name: $R_rps req/s, p50 ${R_p50} ms, p99 ${R_p99} ms, ${R_cpu} µs CPU/request (errors+non2xx $errs)"
}

say "warm-up: CallBridge ${WARMUP}, nginx 5s"
DURATION_SAVED="$DURATION"; DURATION="$WARMUP"
run warmup-cb "http://127.0.0.1:$BENCH_CB_PORT/v1/ping/bench" 0 >/dev/null 2>&1 || true
DURATION=5s
run warmup-nginx "http://127.0.0.1:$PROXY_PORT/v1/ping/bench" 0 >/dev/null 2>&1 || true
DURATION="$DURATION_SAVED"

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
say "saturation: wrk -t$THREADS -c$CONNECTIONS -d$DURATION (load average before: $LOAD_BEFORE)"
run upstream "http://127.0.0.1:$BENCH_UPSTREAM_PORT/v1/production/bench.json" 0; U_rps=$R_rps; U_p50=$R_p50; U_p99=$R_p99
run nginx "http://127.0.0.1:$PROXY_PORT/v1/ping/bench" 0 $NGINX_PROXY_PIDS; A_rps=$R_rps; A_p50=$R_p50; A_p99=$R_p99; A_cpu=$R_cpu
run callbridge "http://127.0.0.1:$BENCH_CB_PORT/v1/ping/bench" 0 $CB_PID; B_rps=$R_rps; B_p50=$R_p50; B_p99=$R_p99; B_cpu=$R_cpu

# Half of CallBridge's saturation throughput, paced per connection (wrk's delay() is whole ms).
HALF="$(awk -v r="$B_rps" 'BEGIN{printf "%.0f", r/2}')"
DELAY="$(awk -v c="$CONNECTIONS" -v r="$HALF" -v l="$B_p50" 'BEGIN{d=c*1000/r - l; if (d<1) d=1; printf "%.0f", d}')"
say "paced at about $HALF req/s (delay ${DELAY} ms per connection)"
run callbridge-half "http://127.0.0.1:$BENCH_CB_PORT/v1/ping/bench" "$DELAY"; H_rps=$R_rps; H_p50=$R_p50; H_p99=$R_p99
run upstream-half "http://127.0.0.1:$BENCH_UPSTREAM_PORT/v1/production/bench.json" "$DELAY"; UH_rps=$R_rps; UH_p50=$R_p50; UH_p99=$R_p99
run nginx-half "http://127.0.0.1:$PROXY_PORT/v1/ping/bench" "$DELAY"; AH_rps=$R_rps; AH_p50=$R_p50; AH_p99=$R_p99

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b==0) print "n/a"; else printf "%.2f", a/b }'; }
diff_ms() { awk -v a="$1" -v b="$2" 'BEGIN{ printf "%.3f", a-b }'; }
TPUT_RATIO="$(ratio "$B_rps" "$A_rps")"
P99_RATIO="$(ratio "$B_p99" "$A_p99")"
ADDED="$(diff_ms "$H_p99" "$UH_p99")"
ADDED_NGINX="$(diff_ms "$AH_p99" "$UH_p99")"
verdict() { awk -v v="$1" -v op="$2" -v g="$3" 'BEGIN{ ok = (op==">=") ? (v>=g) : (v<=g); print ok ? "met" : "MISSED" }'; }

mkdir -p "$(dirname "$REPORT")"
cat > "$REPORT" <<MD
# Ping benchmark ($(date -u +%Y-%m-%dT%H:%MZ))

Machine: $(nproc) CPU ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/{print $2}') GiB;
everything on loopback: wrk, nginx ($("$NGINX" -v 2>&1 | sed 's/.*\///'); two instances, the upstream and the proxy, $NPROC workers each) and CallBridge (JVM $(java -version 2>&1 | head -1 | cut -d'"' -f2), 2 event loops) share the CPUs.
wrk -t$THREADS -c$CONNECTIONS -d$DURATION, POST of a TrackDrive ping JSON; the upstream returns a fixed accepted Ringba bid (nginx \`return 200\`).
Load average before the measured runs: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg) (anything above ~2 on this machine is other processes competing for the CPUs, which inflates every tail).

| path | req/s | p50 ms | p99 ms |
|---|---:|---:|---:|
| (U) wrk → upstream | $U_rps | $U_p50 | $U_p99 |
| (A) wrk → nginx proxy_pass → upstream | $A_rps | $A_p50 | $A_p99 |
| (B) wrk → CallBridge ping route → upstream | $B_rps | $B_p50 | $B_p99 |

CPU per request of the middle hop (independent of what else runs on the machine): nginx proxy
$A_cpu µs, CallBridge $B_cpu µs.

| goal | value | |
|---|---:|---|
| throughput B/A ≥ 0.75 | $TPUT_RATIO | $(verdict "$TPUT_RATIO" ">=" 0.75) |
| p99 B/A ≤ 1.5 | $P99_RATIO | $(verdict "$P99_RATIO" "<=" 1.5) |
| CallBridge added p99 at half its saturation (≈$HALF req/s) ≤ 2 ms | $ADDED ms | $(verdict "$ADDED" "<=" 2) |

At half saturation (paced, ${DELAY} ms between requests per connection):

| path | req/s | p50 ms | p99 ms |
|---|---:|---:|---:|
| (U) upstream | $UH_rps | $UH_p50 | $UH_p99 |
| (A) nginx | $AH_rps | $AH_p50 | $AH_p99 |
| (B) CallBridge | $H_rps | $H_p50 | $H_p99 |

Added p99 = p99(B) − p99(U) at the same pace (nginx adds $ADDED_NGINX ms the same way).
MD
cat "$REPORT"
say "report: $REPORT"
