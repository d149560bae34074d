#!/usr/bin/env bash
# scripts/bench calls: calls through both daemons with sipp on both sides, on loopback only (issue 6).
#   1. Call rate: sipp as phones on the access realm (INVITE with SRTP/SDES, 100/180/200, ACK, a hold,
#      BYE) and sipp as the core PBX (RTP), at rising rates; each step runs BENCH_CALLS_STEP_S seconds
#      of new calls. The highest rate whose every call succeeded (and whose step did not overrun its
#      time by more than 20 % + the hold + 2 s) is the figure, with the CPU both daemons spent per
#      call at that rate (utime+stime of all their threads, from /proc/PID/stat).
#   2. Memory: BENCH_CALLS_HELD calls held at once (no media) on freshly restarted daemons;
#      resident memory of both daemons together (and of each), before and with every call up,
#      per call.
# Knobs (environment): BENCH_CALLS_STEP_S (20; the issue's figure is over 60), BENCH_CALLS_HOLD_MS
#   (5000), BENCH_CALLS_RATES ("100 200 400 600 800 1000 1200 1400 1600 1800 2000 2400"), BENCH_CALLS_HELD (10000),
#   BENCH_CALLS_HELD_RATE (150, below the rate palisade-signal sustains today).
# Starts palisade-media and palisade-signal itself (release builds) on a configuration in a
# temporary directory, and stops exactly those processes and its sipps, by PID, on the way out.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/env.sh

step_s=${BENCH_CALLS_STEP_S:-20}
hold_ms=${BENCH_CALLS_HOLD_MS:-5000}
rates=${BENCH_CALLS_RATES:-"100 200 400 600 800 1000 1200 1400 1600 1800 2000 2400"}
held=${BENCH_CALLS_HELD:-10000}
held_rate=${BENCH_CALLS_HELD_RATE:-150}
scenarios=Tests/EndToEndTests/Scenarios

for product in palisade-media palisade-signal palisadectl; do
    swift build -c release --product "$product" >&2
done
bin=$(swift build -c release --show-bin-path)
command -v sipp >/dev/null || { echo "bench calls: sipp (Debian sip-tester) is required" >&2; exit 2; }
command -v jq >/dev/null || { echo "bench calls: jq is required" >&2; exit 2; }

# Four media sockets per call (RTP and RTCP on each leg) and sipp's own: raise the limits (root may).
ulimit -Hn 262144 2>/dev/null || true
ulimit -n "$(ulimit -Hn)"

work=$(mktemp -d /tmp/palisade-bench-calls.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || continue
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pbx_port=$(( 40000 + RANDOM % 5000 ))
cat >"$work/palisade.toml" <<TOML
[log]
level = "warning"

[media]
control_socket = "$work/media.sock"
timeout_s = 3600

[signal]
admin_socket = "$work/admin.sock"

[metrics]
enabled = false

[sip]
max_connections = 100000
max_connections_per_address = 100000

[[realm]]
name = "access"
media_policy = "srtp-optional"
route_to = "core"

[[realm.listener]]
transport = "udp"
listen = "127.0.0.1:0"

[realm.media]
address = "127.0.0.1"
port_min = 10000
port_max = 31999

[[realm]]
name = "core"
trust = "trusted"
media_policy = "rtp-only"
# The bench PBX (sipp) plays calls only: no OPTIONS probes among them.
target_probe_interval_s = 0

[[realm.listener]]
transport = "udp"
listen = "127.0.0.2:0"

[realm.media]
address = "127.0.0.2"
port_min = 10000
port_max = 31999

[[realm.target]]
address = "127.0.0.3:$pbx_port"
transport = "udp"
TOML

"$bin/palisade-signal" --check-config "$work/palisade.toml" >/dev/null
# Starts both daemons (appending to their logs) and waits until the media plane is connected;
# sets media_pid, signal_pid and access.
start_daemons() {
    rm -f "$work/media.sock"
    "$bin/palisade-media" --config "$work/palisade.toml" >>"$work/media.log" 2>&1 &
    media_pid=$!
    pids+=("$media_pid")
    for _ in $(seq 1 100); do [ -S "$work/media.sock" ] && break; sleep 0.05; done
    "$bin/palisade-signal" --config "$work/palisade.toml" >>"$work/signal.log" 2>&1 &
    signal_pid=$!
    pids+=("$signal_pid")
    local status=""
    for _ in $(seq 1 150); do
        if status=$("$bin/palisadectl" --socket "$work/admin.sock" status --json 2>/dev/null) \
            && [ "$(jq -r '.media.connected' <<<"$status")" = true ]; then
            break
        fi
        for pid in $media_pid $signal_pid; do
            kill -0 "$pid" 2>/dev/null || { echo "bench calls: a daemon exited during start-up" >&2; tail -n 20 "$work"/*.log >&2; exit 1; }
        done
        status=""
        sleep 0.1
    done
    [ -n "$status" ] || { echo "bench calls: the daemons did not come up in 15 s" >&2; exit 1; }
    access=$(jq -r '.sipListeners[] | select(.realm == "access" and .transport == "udp") | .address' <<<"$status")
}

# Stops the daemons start_daemons started, by PID: TERM, then KILL after 10 s.
stop_daemons() {
    for pid in $signal_pid $media_pid; do
        kill -TERM "$pid" 2>/dev/null || continue
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    # Out of the clean-up list: a stopped daemon's PID may be another process's by then.
    local kept=()
    for pid in "${pids[@]}"; do [ "$pid" = "$signal_pid" ] || [ "$pid" = "$media_pid" ] || kept+=("$pid"); done
    pids=("${kept[@]}")
}

start_daemons
echo "# palisade-signal pid $signal_pid, palisade-media pid $media_pid: access $access, PBX 127.0.0.3:$pbx_port; $(nproc) cores"

ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
column() { awk -F';' -v name="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i } END { print $c + 0 }' "$1" 2>/dev/null || echo 0; }
hz=$(getconf CLK_TCK)
key=$(head -c 30 /dev/urandom | base64)

# The PBX answers every call (sipp as UAS, RTP); one process for the whole run.
sipp -sf "$scenarios/call-uas.xml" -t u1 -i 127.0.0.3 -p "$pbx_port" -mi 127.0.0.3 -key rtp_port 40000 \
    -nostdin -trace_err -error_file "$work/pbx-errors.log" -l 100000 >"$work/pbx.out" 2>&1 &
pbx_pid=$!
pids+=("$pbx_pid")
sleep 0.5
kill -0 "$pbx_pid" 2>/dev/null || { echo "bench calls: the PBX sipp did not start" >&2; cat "$work/pbx.out" >&2; exit 1; }

# One step: `rate` new calls per second for step_s seconds, each held hold_ms, from phones at
# 127.0.0.1 with SRTP. Prints "ok|fail cpu_ms_per_call signal_ms media_ms".
step() {
    local rate=$1 calls=$(( $1 * step_s )) csv="$work/uac-$1.csv"
    local s0 m0 s1 m1 started elapsed limit
    s0=$(ticks "$signal_pid"); m0=$(ticks "$media_pid")
    started=$(date +%s.%N)
    limit=$(awk -v s="$step_s" -v h="$hold_ms" 'BEGIN { print int(s * 1.2 + h / 1000 + 2) }')
    if timeout $(( limit + 30 )) sipp -sf "$scenarios/srtp-call-uac.xml" -t u1 -i 127.0.0.1 -p 0 -mi 127.0.0.1 \
        -key rtp_port 40002 -key crypto_key "$key" -d "$hold_ms" -r "$rate" -m "$calls" -l $(( rate * (hold_ms / 1000 + 4) )) \
        -nostdin -timeout "$(( limit + 20 ))s" -timeout_error -trace_err -error_file "$work/uac-errors-$rate.log" \
        -trace_stat -stf "$csv" -fd 1 "$access" >"$work/uac-$rate.out" 2>&1; then :; fi
    elapsed=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
    s1=$(ticks "$signal_pid"); m1=$(ticks "$media_pid")
    local ok failed
    ok=$(column "$csv" "SuccessfulCall(C)"); failed=$(column "$csv" "FailedCall(C)")
    local verdict=fail
    if [ "$ok" -eq "$calls" ] && [ "$failed" -eq 0 ] && awk -v e="$elapsed" -v l="$limit" 'BEGIN { exit !(e <= l) }'; then
        verdict=ok
    fi
    awk -v v="$verdict" -v s=$(( s1 - s0 )) -v m=$(( m1 - m0 )) -v hz="$hz" -v c="$calls" -v ok="$ok" -v f="$failed" -v e="$elapsed" \
        'BEGIN { printf "%s %.3f %.3f %.3f %d %d %.1f\n", v, (s + m) * 1000 / hz / c, s * 1000 / hz / c, m * 1000 / hz / c, ok, f, e }'
}

best_rate=0; best=""
for rate in $rates; do
    read -r verdict cpu signal_cpu media_cpu ok failed elapsed < <(step "$rate")
    echo "# $rate calls/s for ${step_s}s: $verdict — $ok ok, $failed failed in ${elapsed}s; CPU per call ${cpu} ms (signal $signal_cpu, media $media_cpu)"
    [ "$verdict" = ok ] || break
    best_rate=$rate; best="$cpu $signal_cpu $media_cpu"
    sleep 2
done
read -r cpu signal_cpu media_cpu <<<"${best:-0 0 0}"
echo "BENCH calls_per_second $best_rate calls_per_s"
echo "BENCH calls_cpu_per_call $cpu ms"
echo "BENCH calls_signal_cpu_per_call $signal_cpu ms"
echo "BENCH calls_media_cpu_per_call $media_cpu ms"

# Memory: `held` calls up at once, held long enough to read both daemons' RSS. On fresh daemons:
# the rate steps above leave their peak heap behind, which would hide the held calls' cost.
sleep $(( hold_ms / 1000 + 3 ))
stop_daemons
start_daemons
echo "# memory: fresh palisade-signal pid $signal_pid, palisade-media pid $media_pid"
sleep 1
signal_before=$(rss_kb "$signal_pid"); media_before=$(rss_kb "$media_pid")
before=$(( signal_before + media_before ))
hold_s=$(( held / held_rate + 30 ))
sipp -sf "$scenarios/srtp-call-uac.xml" -t u1 -i 127.0.0.1 -p 0 -mi 127.0.0.1 -key rtp_port 40002 -key crypto_key "$key" \
    -d $(( hold_s * 1000 )) -r "$held_rate" -m "$held" -l "$held" -nostdin -timeout "$(( hold_s + 60 ))s" \
    -trace_err -error_file "$work/held-errors.log" "$access" >"$work/held.out" 2>&1 &
held_pid=$!
pids+=("$held_pid")
active=0
deadline=$(( $(date +%s) + held / held_rate + 25 ))
while [ "$(date +%s)" -lt "$deadline" ]; do
    active=$("$bin/palisadectl" --socket "$work/admin.sock" status --json | jq -r '.traffic.activeCalls // 0')
    [ "$active" -ge "$held" ] && break
    sleep 1
done
signal_after=$(rss_kb "$signal_pid"); media_after=$(rss_kb "$media_pid")
after=$(( signal_after + media_after ))
echo "# held: $active calls up; RSS of both daemons ${before} kB before, ${after} kB with them" \
    "(palisade-signal ${signal_before} → ${signal_after} kB, palisade-media ${media_before} → ${media_after} kB)"
if [ "$active" -gt 0 ]; then
    echo "BENCH calls_memory_per_call $(( (after - before) * 1024 / active )) bytes"
else
    echo "BENCH calls_memory_per_call 0 bytes"
    echo "# held: no call came up; see $work/held.out" >&2
fi
kill -TERM "$held_pid" 2>/dev/null || true
