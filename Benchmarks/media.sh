#!/usr/bin/env bash
# scripts/bench media: palisade-media's relay under load from palisade-bench, on loopback only.
#   palisade-media (release, media.workers = 1) runs pinned to CPU 0 with an LD_PRELOAD malloc
#   counter; palisade-bench (release) runs pinned to CPU 1. For RTP, then SRTP
#   (AES_CM_128_HMAC_SHA1_80, different keys on each leg), it sets up N sessions through the
#   control socket and runs:
#     1. max rate: rising offered rates until loss >= 0.1 % (or the generator cannot keep up),
#        then two bisections; bounded in steps and seconds;
#     2. fixed 50,000 packets/s: delivered rate, loss, latency, palisade-media CPU per packet and
#        malloc-family calls per relayed packet (steady state, whole process).
#   The generator builds (and SRTP-protects) each step's packets before the step's window opens,
#   only paces sendmmsg calls (round robin over the streams) and recvmmsg calls into a store during
#   it, and decrypts and checks every packet that came back after it; latency is receive time minus
#   the start of the packet's sendmmsg call. It still says when it, not the relay, was the limit.
#   SRTP figures need an engine that relays SRTP legs: until then palisade-media refuses the
#   session and the SRTP lines say "skipped" with its reason — never a made-up figure.
# Knobs (environment): BENCH_MEDIA_STREAMS (10), BENCH_MEDIA_STEP_S (2), BENCH_MEDIA_FIXED_S (5),
#   BENCH_MEDIA_CAP_S (40 per max-rate search), BENCH_MEDIA_MAX_RATE (600000), BENCH_MEDIA_NICE (-10:
#   both processes run at this nice value when allowed, and so does this script's scheduler
#   autogroup while it runs — with sched_autogroup on, plain nice only ranks processes within one
#   session, and other sessions busy on the same cores would each get as much CPU as the relay;
#   0 leaves all at normal priority), BENCH_MEDIA_PIN (1: pin
#   as above; 0: let the scheduler place both — on a machine shared with other work, a pinned
#   process cannot move off a core someone else keeps busy, and the relay's sockets overflow),
#   BENCH_MEDIA_GSO ("1 8": each value a full run; 1: one datagram per packet; N: the generator
#   sends UDP GSO bursts of N packets of one stream — cheaper for it, so it can offer more and is
#   no longer the limit, but the relay then sees per-stream bursts; those figures are named
#   *_gsoN and the output says so).
# Starts palisade-media itself on a configuration in a temporary directory and stops exactly that
# process, by PID, on the way out.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/env.sh

streams=${BENCH_MEDIA_STREAMS:-10}
step_s=${BENCH_MEDIA_STEP_S:-2}
fixed_s=${BENCH_MEDIA_FIXED_S:-5}
cap_s=${BENCH_MEDIA_CAP_S:-40}
max_rate=${BENCH_MEDIA_MAX_RATE:-600000}
nice_value=${BENCH_MEDIA_NICE:--10}
pin=${BENCH_MEDIA_PIN:-1}
gso_values=${BENCH_MEDIA_GSO:-"1 8"}

swift build -c release --product palisade-media >&2
bin=$(swift build -c release --show-bin-path)
swift build -c release --package-path Benchmarks --product palisade-bench >&2
bench="$(swift build -c release --package-path Benchmarks --show-bin-path)/palisade-bench"

work=$(mktemp -d /tmp/palisade-bench-media.XXXXXX)
media_pid=""
autogroup_before=""
cleanup() {
    if [ -n "$autogroup_before" ]; then echo "$autogroup_before" >/proc/self/autogroup 2>/dev/null || true; fi
    if [ -n "$media_pid" ]; then
        kill -TERM "$media_pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$media_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$media_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cc -O2 -shared -fPIC -o "$work/libmediamalloccount.so" Benchmarks/media-malloc-count.c

# A port range of our own for this run (other benchmarks and tests bind ephemeral ports, below 32768
# is the media range convention here): 400 ports somewhere in 20000-29999.
port_min=$((20000 + (RANDOM % 24) * 400))
cat >"$work/palisade.toml" <<TOML
[log]
level = "warning"

[media]
control_socket = "$work/media.sock"
workers = 1

[[realm]]
name = "bench"

[[realm.listener]]
transport = "udp"
listen = "127.0.0.1:0"

[realm.media]
address = "127.0.0.1"
port_min = $port_min
port_max = $((port_min + 399))
TOML

pin_media=()
pin_bench=()
if [ "$pin" = 0 ]; then
    pinning="NOT pinned (BENCH_MEDIA_PIN=0): the scheduler places palisade-media and palisade-bench"
elif [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
    pin_media=(taskset -c 0)
    pin_bench=(taskset -c 1)
    pinning="palisade-media (1 worker) on CPU 0, palisade-bench on CPU 1"
else
    pinning="NOT pinned ($(nproc) CPU or no taskset): figures include both sharing one core"
fi
if [ "$nice_value" != 0 ] && nice -n "$nice_value" true 2>/dev/null && [ "$(nice -n "$nice_value" nice)" = "$nice_value" ]; then
    pin_media=(nice -n "$nice_value" "${pin_media[@]}")
    pin_bench=(nice -n "$nice_value" "${pin_bench[@]}")
    pinning="$pinning, both at nice $nice_value"
    if [ -w /proc/self/autogroup ]; then
        current=$(sed -n 's/.* nice \(-\{0,1\}[0-9]*\)$/\1/p' /proc/self/autogroup)
        if [ -n "$current" ] && echo "$nice_value" >/proc/self/autogroup 2>/dev/null; then
            autogroup_before=$current
            pinning="$pinning (and their autogroup, restored on exit)"
        fi
    fi
fi

PALISADE_MALLOC_COUNT_FILE="$work/mallocs" LD_PRELOAD="$work/libmediamalloccount.so" \
    "${pin_media[@]}" "$bin/palisade-media" --config "$work/palisade.toml" >"$work/media.log" 2>&1 &
media_pid=$!
for _ in $(seq 1 100); do [ -S "$work/media.sock" ] && break; sleep 0.05; done
[ -S "$work/media.sock" ] || { echo "bench media: palisade-media did not open its control socket" >&2; cat "$work/media.log" >&2; exit 1; }

# Which libsrtp2 each side uses: palisade-bench says it itself (SRTP lines); palisade-media's is
# read from its binary — Debian's shared NSS build appears in ldd, the static one from .deps does not.
if ldd "$bin/palisade-media" | grep -q 'libsrtp2'; then
    media_srtp="Debian's shared libsrtp2.so.1 (NSS backend, ~5x slower per packet)"
elif grep -qa 'libsrtp2 2\.' "$bin/palisade-media"; then
    media_srtp="static libsrtp2 ($(pkg-config --modversion libsrtp2 2>/dev/null || echo '?')) from $(pkg-config --variable=prefix libsrtp2 2>/dev/null || echo '?'), OpenSSL backend"
else
    media_srtp="none linked (this palisade-media does not relay SRTP yet)"
fi
echo "# libsrtp2 in palisade-media: $media_srtp"
echo "# machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg) (shared and noisy: short runs, orders of magnitude)"
echo "# pinning: $pinning; $streams sessions, 172-byte RTP packets"
echo "# targets (issue 5): SRTP->SRTP >= 150000 pps at <= 7 CPU-us/packet; plain RTP >= 250000 pps; 0 allocations per packet"

run_bench() {
    # Bounded: the generator bounds its own steps; timeout bounds it all the same.
    timeout --signal=TERM --kill-after=5 $((cap_s + 60)) "${pin_bench[@]}" "$bench" media \
        --socket "$work/media.sock" --media-pid "$media_pid" --interface bench --streams "$streams" \
        --step-seconds "$step_s" --fixed-seconds "$fixed_s" --cap-seconds "$cap_s" --max-rate "$max_rate" \
        --gso "$gso" --malloc-counter "$work/mallocs" "$@"
    kill -0 "$media_pid" 2>/dev/null || { echo "bench media: palisade-media died" >&2; cat "$work/media.log" >&2; exit 1; }
}

for gso in $gso_values; do
    for profile in rtp srtp; do
        run_bench --profile "$profile" --mode max
        run_bench --profile "$profile" --mode fixed --rate 50000
    done
done

if [ -s "$work/media.log" ]; then
    echo "# palisade-media logged $(wc -l <"$work/media.log") lines at warning and above; last ones:"
    tail -n 5 "$work/media.log" | sed 's/^/#   /'
fi
