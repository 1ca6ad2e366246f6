#!/usr/bin/env bash
# Benchmark (not a test): paperboy serving a cached feed vs nginx serving the same bytes as a
# static file, on loopback, in the same run. Three requests each: plain, gzip
# (nginx: gzip_static with a precompressed .gz; paperboy: bytes compressed once when cached),
# and a 304 answer to If-None-Match. Prints requests/s and p99 latency, and paperboy's share.
#
#   bash benches/wrk/run.sh            # wrk -t2 -c64 -d10s --latency per case
#   DURATION=30s CONNECTIONS=64 FEED=/r/zhejiang/articles.atom bash benches/wrk/run.sh
#
# Needs: wrk, nginx (Debian nginx-light), curl, a Rust toolchain.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
# Each case runs ROUNDS times, alternating paperboy and nginx, and keeps each server's best
# round: other work on a shared machine then biases neither side.
ROUNDS="${ROUNDS:-2}"
FEED="${FEED:-/r/zhejiang/articles.atom}"
for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || { echo "benches/wrk: $tool is not installed" >&2; exit 2; }
done

cargo build --release --quiet
BIN="${CARGO_TARGET_DIR:-target}/release/paperboy"

WORK="$(mktemp -d)"
# nginx workers run as an unprivileged user when started as root: let them read the files.
chmod 755 "$WORK"
PB_PID=""; NGINX_PID=""
cleanup() {
  [ -n "$PB_PID" ] && kill "$PB_PID" 2>/dev/null || true
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# paperboy with the seeds ingested into a fresh SQLite database.
cat > "$WORK/config.toml" <<TOML
[storage]
url = "sqlite://$WORK/paperboy.db"
[ingest]
inbox = "$PWD/seeds"
watch_interval_secs = 0
TOML
PAPERBOY_LOG=warn "$BIN" --config "$WORK/config.toml" serve --bind 127.0.0.1:0 >"$WORK/serve.out" 2>"$WORK/serve.err" &
PB_PID=$!
for _ in $(seq 1 300); do
  grep -q '^listening on ' "$WORK/serve.out" 2>/dev/null && break
  sleep 0.1
done
PB="$(sed -n 's/^listening on //p' "$WORK/serve.out")"
[ -n "$PB" ] || { echo "paperboy did not start:" >&2; cat "$WORK/serve.err" >&2; exit 1; }

# The same bytes for nginx, with the gzip form precompressed once.
mkdir -p "$WORK/www"
curl -sf -H 'Accept-Encoding: identity' "$PB$FEED" -o "$WORK/www/feed.atom"
gzip -9 -k "$WORK/www/feed.atom"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
sed -e "s|@PORT@|$PORT|g" -e "s|@ROOT@|$WORK/www|g" -e "s|@PREFIX@|$WORK|g" \
  benches/wrk/nginx.conf.in > "$WORK/nginx.conf"
nginx -p "$WORK" -c "$WORK/nginx.conf" &
NGINX_PID=$!
NG="http://127.0.0.1:$PORT"
for _ in $(seq 1 50); do curl -sf "$NG/feed.atom" -o /dev/null && break; sleep 0.1; done
chmod -R a+rX "$WORK/www"
cmp -s "$WORK/www/feed.atom" <(curl -sf "$NG/feed.atom") || {
  echo "nginx serves other bytes" >&2; cat "$WORK/error.log" >&2; exit 1; }

PB_ETAG="$(curl -sfI "$PB$FEED" | tr -d '\r' | sed -n 's/^etag: //Ip')"
NG_ETAG="$(curl -sfI "$NG/feed.atom" | tr -d '\r' | sed -n 's/^etag: //Ip')"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $PB_ETAG" "$PB$FEED")" = 304 ]
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $NG_ETAG" "$NG/feed.atom")" = 304 ]
[ "$(curl -s -o /dev/null -D - -H 'Accept-Encoding: gzip' "$PB$FEED" | tr -d '\r' | sed -n 's/^content-encoding: //Ip')" = gzip ]
[ "$(curl -s -o /dev/null -D - -H 'Accept-Encoding: gzip' "$NG/feed.atom" | tr -d '\r' | sed -n 's/^content-encoding: //Ip')" = gzip ]

SIZE="$(stat -c %s "$WORK/www/feed.atom")"; GZSIZE="$(stat -c %s "$WORK/www/feed.atom.gz")"
echo "feed $FEED: $SIZE bytes ($GZSIZE gzip); wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency; best of $ROUNDS rounds; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"

# run NAME URL [HEADER] -> "rps p99"
run() {
  local url="$1"; shift
  local out
  out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url")"
  local rps p99
  rps="$(echo "$out" | awk '/^Requests\/sec:/ {print $2}')"
  p99="$(echo "$out" | awk '$1 == "99%" {print $2}')"
  echo "$rps $p99"
}

printf '%-7s %14s %10s %14s %10s %8s\n' case "paperboy rps" "p99" "nginx rps" "p99" "ratio"
for case in plain gzip 304; do
  case "$case" in
    plain) pb_args=(); ng_args=() ;;
    gzip) pb_args=(-H 'Accept-Encoding: gzip'); ng_args=(-H 'Accept-Encoding: gzip') ;;
    304) pb_args=(-H "If-None-Match: $PB_ETAG"); ng_args=(-H "If-None-Match: $NG_ETAG") ;;
  esac
  pb_rps=0; pb_p99=-; ng_rps=0; ng_p99=-
  for _ in $(seq 1 "$ROUNDS"); do
    read -r rps p99 < <(run "$PB$FEED" "${pb_args[@]}")
    if awk -v a="$rps" -v b="$pb_rps" 'BEGIN { exit !(a > b) }'; then pb_rps=$rps; pb_p99=$p99; fi
    read -r rps p99 < <(run "$NG/feed.atom" "${ng_args[@]}")
    if awk -v a="$rps" -v b="$ng_rps" 'BEGIN { exit !(a > b) }'; then ng_rps=$rps; ng_p99=$p99; fi
  done
  ratio="$(awk -v a="$pb_rps" -v b="$ng_rps" 'BEGIN { printf "%.0f%%", 100 * a / b }')"
  printf '%-7s %14s %10s %14s %10s %8s\n' "$case" "$pb_rps" "$pb_p99" "$ng_rps" "$ng_p99" "$ratio"
done
