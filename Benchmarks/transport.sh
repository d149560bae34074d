#!/usr/bin/env bash
# scripts/bench transport: palisade-signal's transports under load, on loopback only.
#   1. N idle TLS connections from TransportBench (swift-nio-ssl): palisade-signal's RSS per connection.
#   2. A reconnect storm of M TLS clients at once, full handshakes, then resumed ones; TLS 1.3 as
#      negotiated, then the same pinned to TLS 1.2.
#   3. OPTIONS over UDP from sipp at rising rates: the highest rate without a failed transaction
#      (and the step not overrunning its time by more than 10 % + 1 s), with palisade-signal's CPU per transaction at
#      that rate (utime+stime of all its threads, from /proc/PID/stat).
# Knobs (environment): BENCH_STEP_S (10), BENCH_MAX_RATE (30000), BENCH_UDP_CAP_S (120),
#   BENCH_IDLE_CONNECTIONS (10000), BENCH_STORM_CLIENTS (5000).
# Starts palisade-media and palisade-signal itself (release builds) on a configuration in a
# temporary directory, and stops exactly those two processes, by PID, on the way out.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/env.sh

step_s=${BENCH_STEP_S:-10}
max_rate=${BENCH_MAX_RATE:-30000}
udp_cap_s=${BENCH_UDP_CAP_S:-120}
idle_connections=${BENCH_IDLE_CONNECTIONS:-10000}
storm_clients=${BENCH_STORM_CLIENTS:-5000}

for product in palisade-media palisade-signal palisadectl; do
    swift build -c release --product "$product" >&2
done
bin=$(swift build -c release --show-bin-path)
swift build -c release --package-path Benchmarks --product TransportBench >&2
client="$(swift build -c release --package-path Benchmarks --show-bin-path)/TransportBench"
command -v sipp >/dev/null || { echo "bench transport: sipp (Debian sip-tester) is required" >&2; exit 2; }

# Both daemons and the load client inherit this: 10,000 connections need 10,000 descriptors a side.
ulimit -Hn 65536 2>/dev/null || true
ulimit -n "$(ulimit -Hn)"

work=$(mktemp -d /tmp/palisade-bench-transport.XXXXXX)
media_pid=""
signal_pid=""
cleanup() {
    for pid in $signal_pid $media_pid; do
        kill -TERM "$pid" 2>/dev/null || continue
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A CA and a server certificate for sip.example.com, both P-256, made for this run only.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
    -subj "/CN=Palisade bench CA" -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -subj "/CN=sip.example.com" -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial \
    -days 1 -extfile <(printf 'subjectAltName=DNS:sip.example.com\n') -out "$work/server.pem" 2>/dev/null

cat >"$work/palisade.toml" <<TOML
[log]
level = "warning"

[media]
control_socket = "$work/media.sock"

[signal]
admin_socket = "$work/admin.sock"

[metrics]
listen = "127.0.0.1:0"

[sip]
# All load comes from 127.0.0.x: lift the connection limits above the benchmark's counts.
max_connections = 100000
max_connections_per_address = 100000

[[realm]]
name = "access"

[[realm.listener]]
transport = "udp"
listen = "127.0.0.1:0"

[[realm.listener]]
transport = "tls"
listen = "127.0.0.1:0"
certificates = [{ cert = "$work/server.pem", key = "$work/server.key", server_names = ["sip.example.com"] }]

[realm.media]
address = "127.0.0.1"
port_min = 30000
port_max = 30999
TOML

"$bin/palisade-signal" --check-config "$work/palisade.toml" >/dev/null
"$bin/palisade-media" --config "$work/palisade.toml" >"$work/media.log" 2>&1 &
media_pid=$!
# palisade-signal first finds the media plane when its control socket already exists.
for _ in $(seq 1 100); do [ -S "$work/media.sock" ] && break; sleep 0.05; done
"$bin/palisade-signal" --config "$work/palisade.toml" >"$work/signal.log" 2>&1 &
signal_pid=$!

status=""
for _ in $(seq 1 150); do
    if status=$("$bin/palisadectl" --socket "$work/admin.sock" status --json 2>/dev/null) \
        && [ "$(jq -r '.media.connected' <<<"$status")" = true ]; then
        break
    fi
    for pid in $media_pid $signal_pid; do
        kill -0 "$pid" 2>/dev/null || { echo "bench transport: a daemon exited during start-up" >&2; tail -n 20 "$work"/*.log >&2; exit 1; }
    done
    status=""
    sleep 0.1
done
[ -n "$status" ] || { echo "bench transport: the daemons did not come up in 15 s" >&2; exit 1; }
listener() { jq -r --arg t "$1" '.sipListeners[] | select(.realm == "access" and .transport == $t) | .address' <<<"$status"; }
udp=$(listener udp)
tls=$(listener tls)
echo "# palisade-signal pid $signal_pid: udp $udp, tls $tls; ulimit -n $(ulimit -n); $(nproc) cores"

# The TLS figures come first, on a fresh palisade-signal: under UDP load it holds ~5-7 KB per
# transaction for Timer J's 64*T1 (32 s) and its heap stays that large afterwards (see the RSS
# line below); freed heap reused by new connections would hide what they cost.
# --- 1. idle TLS connections ---------------------------------------------------------------------
echo "# target: tls_idle_rss_per_connection <= 24576 bytes (Kamailio documents ~61 KB)"
"$client" idle --host "${tls%:*}" --port "${tls##*:}" --ca "$work/ca.pem" --server-name sip.example.com \
    --pid "$signal_pid" --count "$idle_connections" --sources 16

kill -0 "$signal_pid" 2>/dev/null || { echo "bench transport: palisade-signal died" >&2; tail -n 20 "$work/signal.log" >&2; exit 1; }

# --- 2. reconnect storm --------------------------------------------------------------------------
# As negotiated (TLS 1.3), then pinned to TLS 1.2: resumption there rides on RFC 5077 tickets in
# the handshake, so the two rounds show whether a missing resumption is a TLS 1.3 matter.
"$client" storm --host "${tls%:*}" --port "${tls##*:}" --ca "$work/ca.pem" --server-name sip.example.com \
    --count "$storm_clients" --sources 16 --label tls_storm
"$client" storm --host "${tls%:*}" --port "${tls##*:}" --ca "$work/ca.pem" --server-name sip.example.com \
    --count "$storm_clients" --sources 16 --label tls12_storm --max-tls 1.2

kill -0 "$signal_pid" 2>/dev/null || { echo "bench transport: palisade-signal died" >&2; tail -n 20 "$work/signal.log" >&2; exit 1; }
# The server's own count, next to the clients' (SSL_session_reused) above.
metrics=$(jq -r '.metricsAddress // empty' <<<"$status")
if [ -n "$metrics" ] && scrape=$(curl -sf "http://$metrics/metrics"); then
    echo "# palisade-signal counted TLS handshakes: $(grep '^palisade_tls_handshakes_total' <<<"$scrape" \
        | sed -E 's/^palisade_tls_handshakes_total\{result="([^"]+)"\} /\1=/' | grep -v '=0$' | tr '\n' ' ')"
fi

# --- 3. OPTIONS over UDP -------------------------------------------------------------------------
# utime and stime are fields 14 and 15; after "pid (comm) " is cut off they are the 12th and 13th.
cpu_ticks() { sed 's/^.*) //' "/proc/$signal_pid/stat" | awk '{ print $12 + $13 }'; }
tick_us=$((1000000 / $(getconf CLK_TCK)))
scenario=Tests/EndToEndTests/Scenarios/options-uac.xml
best_rate=0
best_cpu=""
started=$SECONDS
for rate in 500 1000 2000 4000 6000 8000 10000 12000 15000 20000 25000 30000 40000; do
    [ "$rate" -le "$max_rate" ] || break
    [ $((SECONDS - started + step_s)) -le "$udp_cap_s" ] || { echo "# udp: time cap of $udp_cap_s s reached"; break; }
    calls=$((rate * step_s))
    before=$(cpu_ticks)
    step_start=$(date +%s.%N)
    # Exit 0 only when every call (one OPTIONS transaction each) succeeded; -timeout bounds a step.
    if sipp "$udp" -sf "$scenario" -t u1 -i 127.0.0.1 -r "$rate" -m "$calls" \
        -nostdin -timeout "$((step_s * 2 + 10))s" -timeout_error -buff_size 4194304 \
        -trace_stat -stf "$work/sipp-$rate.csv" -fd 600 >"$work/sipp-$rate.out" 2>&1; then
        ok=1
    else
        ok=0
    fi
    elapsed=$(echo "$(date +%s.%N) - $step_start" | bc)
    after=$(cpu_ticks)
    failed=$(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "FailedCall(C)") c = i } END { print $c + 0 }' "$work/sipp-$rate.csv" 2>/dev/null || echo "?")
    retrans=$(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "Retransmissions(C)") c = i } END { print $c + 0 }' "$work/sipp-$rate.csv" 2>/dev/null || echo "?")
    cpu_us=$(( (after - before) * tick_us / calls ))
    achieved=$(echo "$calls / $elapsed" | bc)
    echo "# udp: $rate/s x ${step_s} s: exit ok=$ok, failed $failed, retransmissions $retrans, ${elapsed%.*} s (${achieved}/s delivered), signal CPU $cpu_us us/transaction"
    # A step that overruns means the rate was not delivered (answers came late, sipp retransmitted
    # and fell behind): that is not a pass at this rate even without a failed transaction.
    if [ "$ok" = 1 ] && [ "$(echo "$elapsed <= $step_s * 1.1 + 1" | bc)" = 1 ]; then
        best_rate=$rate
        best_cpu=$cpu_us
    else
        break
    fi
done
echo "# target: none set for options_udp_tps (issue 4 asks for the figure)"
echo "BENCH options_udp_tps $best_rate tps"
echo "BENCH options_udp_signal_cpu_us ${best_cpu:-0} us_per_transaction"
echo "# udp: palisade-signal RSS after the UDP steps: $(awk '/^VmRSS/ { print $2 }' "/proc/$signal_pid/status") kB"

kill -0 "$signal_pid" 2>/dev/null || { echo "bench transport: palisade-signal died during the UDP steps" >&2; tail -n 20 "$work/signal.log" >&2; exit 1; }
if [ -s "$work/signal.log" ]; then
    echo "# palisade-signal logged $(wc -l <"$work/signal.log") lines at warning and above; last ones:"
    tail -n 5 "$work/signal.log" | sed 's/^/#   /'
fi
