#!/usr/bin/env bash
# Digest sending throughput: `paperboy digest send` delivering N digests (default 10,000) to
# Postfix's smtp-sink on 127.0.0.1, beside Postfix's own load generator smtp-source sending N
# messages of the same size over the same number of SMTP connections to the same kind of sink,
# in the same run. Prints both rates in messages/s. Not a test; run it by hand:
#
#   bash benches/digest/run.sh [N] [CONNECTIONS]
#
# Needs Debian's `postfix` package (installed here if missing; its daemon is stopped so that
# nothing listens on :25) and builds paperboy in release mode. Only loopback traffic.
set -euo pipefail
cd "$(dirname "$0")/../.."

N=${1:-10000}
CONNS=${2:-4}
PORT_PB=${PORT_PB:-25251}
PORT_REF=${PORT_REF:-25252}

if ! command -v smtp-source >/dev/null || ! command -v smtp-sink >/dev/null; then
  echo "installing postfix (for smtp-source and smtp-sink)" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix >/dev/null
fi
# The package may start the mail daemon; this benchmark uses high ports only.
postfix stop >/dev/null 2>&1 || true

cargo build --release --quiet --bin paperboy
PB=${CARGO_TARGET_DIR:-$PWD/target}/release/paperboy

WORK=$(mktemp -d)
SINKS=()
cleanup() {
  for p in "${SINKS[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

smtp-sink -u nobody -c 127.0.0.1:$PORT_PB 256 >/dev/null 2>&1 &
SINKS+=($!)
smtp-sink -u nobody -c 127.0.0.1:$PORT_REF 256 >/dev/null 2>&1 &
SINKS+=($!)
sleep 0.5

cat > "$WORK/config.toml" <<TOML
[server]
base_url = "https://news.example.org"
[storage]
url = "sqlite://$WORK/bench.db"
[ingest]
inbox = "$WORK/none"
[render]
templates = "$WORK/no-templates"
[mail]
enabled = true
transport = "smtp"
smtp_url = "smtp://127.0.0.1:$PORT_PB"
pool_size = $CONNS
from = "paperboy <digest@example.org>"
outbox = "$WORK/outbox"
TOML
export PAPERBOY_SECRET=bench-secret PAPERBOY_LOG=warn

DAY=2022-06-28
# One real page (建德, 2022-06-28) gives the digest its content.
"$PB" --config "$WORK/config.toml" ingest --date $DAY seeds/000_8bd78546456298dc.txt >/dev/null
REGION=$("$PB" --config "$WORK/config.toml" editions --format json | python3 -c \
  'import json,sys; e=json.load(sys.stdin); print(max(e, key=lambda r: r["articles"])["region"])')
"$PB" --config "$WORK/config.toml" subscribers add --confirmed --region "$REGION" first@example.org >/dev/null

# N confirmed subscribers of that region, written straight into the database.
python3 - "$WORK/bench.db" "$N" "$REGION" <<'PY'
import sqlite3, sys, time
db, n, region = sys.argv[1], int(sys.argv[2]), sys.argv[3]
c = sqlite3.connect(db)
now = int(time.time())
c.execute("DELETE FROM subscriptions"); c.execute("DELETE FROM subscribers")
c.executemany("INSERT INTO subscribers (id, email, created_at, confirmed_at) VALUES (?, ?, ?, ?)",
              [(i + 1, f"reader{i}@example.org", now, now) for i in range(n)])
c.executemany("INSERT INTO subscriptions (subscriber_id, region) VALUES (?, ?)",
              [(i + 1, region) for i in range(n)])
c.commit()
PY

# Size of one digest as sent (a dry run writes it as .eml): the body size smtp-source sends.
python3 - "$WORK/bench.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("CREATE TABLE keep AS SELECT * FROM subscribers WHERE id > 1")
c.execute("DELETE FROM subscribers WHERE id > 1"); c.commit()
PY
"$PB" --config "$WORK/config.toml" digest send --dry-run --date $DAY >/dev/null
python3 - "$WORK/bench.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("INSERT INTO subscribers SELECT * FROM keep"); c.execute("DROP TABLE keep"); c.commit()
PY
SIZE=$(stat -c %s "$WORK"/outbox/*.eml | head -1)

now_ns() { date +%s%N; }

t0=$(now_ns)
"$PB" --config "$WORK/config.toml" digest send --date $DAY
t1=$(now_ns)
SENT=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT count(*) FROM digest_ledger WHERE status='sent'\").fetchone()[0])" "$WORK/bench.db")

t2=$(now_ns)
smtp-source -d -s "$CONNS" -m "$N" -l "$SIZE" -f digest@example.org -t reader@example.org \
  -M bench.example.org 127.0.0.1:$PORT_REF
t3=$(now_ns)

python3 - "$N" "$SENT" "$SIZE" "$CONNS" $t0 $t1 $t2 $t3 <<'PY'
import sys
n, sent, size, conns = (int(x) for x in sys.argv[1:5])
t0, t1, t2, t3 = (int(x) for x in sys.argv[5:9])
pb, ref = (t1 - t0) / 1e9, (t3 - t2) / 1e9
print(f"message size {size} bytes, {conns} SMTP connections, {n} messages")
print(f"paperboy digest send : {sent} digests in {pb:.2f} s = {sent / pb:,.0f} messages/s "
      "(includes building each digest and the send ledger)")
print(f"postfix smtp-source  : {n} messages in {ref:.2f} s = {n / ref:,.0f} messages/s")
print(f"ratio paperboy/reference: {sent / pb / (n / ref):.2f} (target >= 0.50)")
PY
