#!/usr/bin/env bash
# Instructions the server executes per webhook event, counted by valgrind (callgrind): a figure
# that does not move with the machine's load, for A/B comparisons of changes too small for the
# webhook benchmark's noise (which swings by 10 to 30% per run on a shared 2-core VM).
#
#   scripts/instructions-per-event.sh BIN [BIN...]
#
# Each BIN (a `switchyard` binary, e.g. target/release/switchyard) serves the lead-scoring
# fixture on one core with `--durability normal`, its data on tmpfs (/dev/shm, where there is
# one: on disk the counts drift by several percent with the disk's timing); one connection posts leads
# one after another (so every commit holds one event, unlike the benchmark's groups of about
# 10). The count for 100 events is subtracted from the count for 600, which leaves out start-up
# and shutdown. Two runs of one binary agree to within about 0.1%.
#
# Caveats: a count is not a time. Kernel work (TCP, writes) is not counted, and valgrind counts
# each byte of a `rep movsb`/`rep stosb` (glibc's memcpy and memset for large sizes) as one
# instruction. Needs valgrind and python3 (`apt-get install valgrind`).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
data_root=/dev/shm
[ -d "$data_root" ] && [ -w "$data_root" ] || data_root=${TMPDIR:-/tmp}
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
[ $# -ge 1 ] || { echo "usage: $0 BIN [BIN...]" >&2; exit 2; }

# Total instructions of `serve` (BIN) for N events.
count() {
    local bin=$1 n=$2 port dir pid
    port=$((20000 + RANDOM % 20000))
    dir=$(mktemp -d -p "$data_root" switchyard-ir.XXXX)
    mkdir -p "$dir/wf"
    cp "$root/tests/fixtures/workflows/lead-scoring.json" "$dir/wf/"
    taskset -c 0 valgrind --tool=callgrind --callgrind-out-file="$dir/cg.out" \
        "$bin" serve --data-dir "$dir/data" --workflows "$dir/wf" \
        --listen "127.0.0.1:$port" --durability normal >"$dir/log" 2>&1 &
    pid=$!
    if ! python3 - "$port" "$n" "$pid" "$dir/log" <<'PY'
import http.client, json, sys, time
port, n, pid, log = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
deadline = time.time() + 120

def ended():
    """Whether the server has exited (a zombie until the shell that started it waits)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True

while True:
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        c.request("GET", "/api/health")
        c.getresponse().read()
        break
    except OSError:
        if ended() or time.time() > deadline:
            sys.exit("the server did not start:\n" + open(log).read()[-2000:])
        time.sleep(0.1)
for i in range(n):
    warm = i % 2 == 0
    body = json.dumps({"name": f"Lead 1-{i}", "email": f"lead1.{i}@example.com",
                       "company": "Example Ltd", "budget": 5000 if warm else 0,
                       "message": "send me the pricing" if warm else "just browsing, student project"})
    c.request("POST", "/hooks/lead-form", body, {"content-type": "application/json"})
    r = c.getresponse()
    r.read()
    if r.status != 202:
        sys.exit(f"the webhook answered {r.status}")
PY
    then
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" || true
        rm -rf "$dir"
        return 1
    fi
    kill -TERM "$pid"
    wait "$pid" || true
    callgrind_annotate "$dir/cg.out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}'
    rm -rf "$dir"
}

first=""
for bin in "$@"; do
    small=$(count "$bin" 100) || exit 1
    large=$(count "$bin" 600) || exit 1
    per=$(( (large - small) / 500 ))
    if [ -z "$first" ]; then
        first=$per
        echo "$bin: $per instructions per event"
    else
        echo "$bin: $per instructions per event ($(python3 -c "print(f'{$per / $first:.4f}')")x the first)"
    fi
done
