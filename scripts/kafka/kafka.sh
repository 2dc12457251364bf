#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft, broker+controller in one JVM) for tests.
# The broker jars come from Maven Central through scripts/kafka/pom.xml; nothing
# else is downloaded. See scripts/kafka/README.md.
#
#   scripts/kafka/kafka.sh start   [--port N]          fetch jars if needed, format (once), start, wait until ready
#   scripts/kafka/kafka.sh stop    [--port N] [--clean] SIGTERM, wait, SIGKILL on timeout; --clean drops the data dir
#   scripts/kafka/kafka.sh restart [--port N]          stop (data kept) + start
#   scripts/kafka/kafka.sh status  [--port N]          exit 0 running+ready, 1 not running, 2 running but not ready
#   scripts/kafka/kafka.sh smoke   [--port N]          run scripts/kafka/smoke.js against the running broker
#   scripts/kafka/kafka.sh fetch                       only resolve/copy the jars
#   scripts/kafka/kafka.sh logs    [--port N]          print the broker log path (and its tail)
#
# Environment overrides (all optional):
#   KAFKA_PORT (19092)  KAFKA_VERSION (from pom.xml)  KAFKA_STATE_DIR (<repo>/.kafka)
#   KAFKA_READY_TIMEOUT (90 s)  KAFKA_STOP_TIMEOUT (30 s)  KAFKA_HEAP_OPTS (-Xms256m -Xmx512m)
#   KAFKA_JVM_OPTS (extra JVM flags)  KAFKA_MVN_ARGS (extra mvn flags, e.g. -o or -Dmaven.repo.local=...)
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
POM="$SCRIPT_DIR/pom.xml"
STATE_DIR=${KAFKA_STATE_DIR:-$ROOT/.kafka}
KAFKA_VERSION=${KAFKA_VERSION:-$(sed -n 's:.*<kafka\.version>\(.*\)</kafka\.version>.*:\1:p' "$POM" | head -n 1)}
LIB_DIR="$STATE_DIR/lib-$KAFKA_VERSION"
READY_TIMEOUT=${KAFKA_READY_TIMEOUT:-90}
STOP_TIMEOUT=${KAFKA_STOP_TIMEOUT:-30}
HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}

if [[ -x "$ROOT/node_modules/.bin/node" ]]; then NODE_BIN="$ROOT/node_modules/.bin/node"; else NODE_BIN=node; fi
# kafkajs 2.2.4 passes negative delays to setTimeout (Node clamps them to 1 ms); Node >= 23
# reports that as TimeoutNegativeWarning on stderr. Harmless, so keep it out of the output.
node_run() { "$NODE_BIN" --disable-warning=TimeoutNegativeWarning "$@"; }

log() { printf '[kafka.sh] %s\n' "$*" >&2; }
die() { printf '[kafka.sh] ERROR: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

usage() {
  sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit "${1:-0}"
}

# ---------------------------------------------------------------- arguments
CMD=${1:-}
[[ -n "$CMD" ]] || usage 1
shift
PORT=${KAFKA_PORT:-19092}
CLEAN=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --port) [[ $# -ge 2 ]] || die "--port needs a value"; PORT=$2; shift 2 ;;
    --port=*) PORT=${1#--port=}; shift ;;
    --clean) CLEAN=1; shift ;;
    -h|--help) usage 0 ;;
    *) die "unknown argument: $1 (see: $0 --help)" ;;
  esac
done
[[ "$PORT" =~ ^[0-9]+$ && "$PORT" -ge 1024 && "$PORT" -le 65534 ]] || die "bad --port: $PORT"
CONTROLLER_PORT=$((PORT + 1))
RUN_DIR="$STATE_DIR/run-$PORT"
DATA_DIR="$STATE_DIR/data-$PORT"
CONF="$RUN_DIR/server.properties"
PID_FILE="$RUN_DIR/kafka.pid"
LOG_FILE="$RUN_DIR/kafka.log"
BROKER="127.0.0.1:$PORT"

# ---------------------------------------------------------------- helpers
# Serialise start/stop for one port (parallel test workers may race) and the jar fetch.
# flock is in util-linux. Fixed fds (8 = port lock, 9 = fetch lock) so the broker JVM
# can be started with them closed; otherwise it would hold the lock for its lifetime.
with_lock() { # $1 = fd, $2 = lock name, rest = command
  local fd=$1 name=$2; shift 2
  mkdir -p "$STATE_DIR"
  if command -v flock >/dev/null 2>&1; then
    eval "exec $fd>\"\$STATE_DIR/.\$name.lock\""
    flock -w 300 "$fd" || die "could not get lock $STATE_DIR/.$name.lock within 300 s"
  fi
  "$@"
}

port_open() { timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# PID of our broker for this port: the pid file if it points at a live JVM running
# kafka.Kafka with *our* config file; otherwise a /proc scan for that exact config path
# (covers a lost pid file). Prints nothing when not running.
broker_pid() {
  local pid cmdline p
  if [[ -f "$PID_FILE" ]]; then
    pid=$(tr -dc '0-9' <"$PID_FILE")
    if [[ -n "$pid" && -r /proc/$pid/cmdline ]]; then
      cmdline=$( { tr '\0' ' ' </proc/"$pid"/cmdline; } 2>/dev/null || true)
      if [[ "$cmdline" == *kafka.Kafka*"$CONF"* ]]; then echo "$pid"; return 0; fi
    fi
  fi
  # shellcheck disable=SC2013 # /proc/<pid>/cmdline paths have no spaces
  for p in $(grep -lsF -- "$CONF" /proc/[0-9]*/cmdline 2>/dev/null); do
    cmdline=$( { tr '\0' ' ' <"$p"; } 2>/dev/null || true)
    if [[ "$cmdline" == *" kafka.Kafka $CONF"* ]]; then p=${p#/proc/}; echo "${p%/cmdline}"; return 0; fi
  done
  return 0
}

log_tail() {
  local n=${1:-60}
  if [[ -f "$LOG_FILE" ]]; then
    printf '\n----- last %s lines of %s -----\n' "$n" "$LOG_FILE" >&2
    tail -n "$n" "$LOG_FILE" >&2 || true
    printf -- '----- end of log -----\n\n' >&2
  else
    log "(no log file at $LOG_FILE)"
  fi
}

check_java() {
  command -v java >/dev/null 2>&1 || die "java not found on PATH (Kafka ${KAFKA_VERSION%%.*}.x needs Java 17+)"
  local v major
  v=$(java -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
  major=${v%%.*}; [[ "$major" == 1 ]] && major=$(echo "$v" | cut -d. -f2)
  [[ "$major" =~ ^[0-9]+$ ]] || die "could not parse java version from: $(java -version 2>&1 | head -n 1)"
  if [[ "${KAFKA_VERSION%%.*}" -ge 4 && "$major" -lt 17 ]]; then
    die "Kafka $KAFKA_VERSION brokers need Java 17+, found $v"
  fi
}

# ---------------------------------------------------------------- fetch
do_fetch() {
  [[ -n "$KAFKA_VERSION" ]] || die "could not read <kafka.version> from $POM"
  if [[ -f "$LIB_DIR/.complete" ]]; then return 0; fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found on PATH (needed once to fetch Kafka $KAFKA_VERSION jars)"
  local t0 tmp
  t0=$(now)
  tmp="$LIB_DIR.tmp.$$"
  rm -rf "$tmp"
  log "fetching Kafka $KAFKA_VERSION jars from Maven Central into $LIB_DIR (first time only) ..."
  # shellcheck disable=SC2086 # KAFKA_MVN_ARGS is deliberately word-split
  if ! mvn -q -B -f "$POM" -Dkafka.version="$KAFKA_VERSION" ${KAFKA_MVN_ARGS:-} \
      dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" >"$STATE_DIR/mvn-fetch.log" 2>&1; then
    tail -n 40 "$STATE_DIR/mvn-fetch.log" >&2 || true
    rm -rf "$tmp"
    die "maven could not resolve org.apache.kafka:kafka_2.13:$KAFKA_VERSION (full output: $STATE_DIR/mvn-fetch.log)"
  fi
  ls "$tmp"/kafka_2.13-"$KAFKA_VERSION".jar >/dev/null 2>&1 || { rm -rf "$tmp"; die "kafka_2.13-$KAFKA_VERSION.jar missing after copy-dependencies"; }
  ls "$tmp" >"$tmp/.complete"
  rm -rf "$LIB_DIR"
  mv "$tmp" "$LIB_DIR"
  log "fetched $(find "$LIB_DIR" -name '*.jar' | wc -l) jars ($(du -sh "$LIB_DIR" | cut -f1)) in $(elapsed "$t0") s"
}
cmd_fetch() { with_lock 9 fetch do_fetch; }

# ---------------------------------------------------------------- config + format
write_config() {
  mkdir -p "$RUN_DIR"
  cat >"$CONF.tmp" <<EOF
# Generated by scripts/kafka/kafka.sh for tests. Do not edit: rewritten on every start.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$DATA_DIR

# single node: every internal topic has one replica
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=5
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=5
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1

# test-friendly behaviour
auto.create.topics.enable=false
delete.topic.enable=true
group.initial.rebalance.delay.ms=0

# small machine (2 cores)
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
EOF
  mv "$CONF.tmp" "$CONF"
}

# Kafka's Uuid text form: 16 random bytes, URL-safe base64, no padding; like
# Uuid.randomUuid() we avoid a leading '-' so the id never looks like a CLI flag.
random_cluster_id() {
  local id
  while :; do
    id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    [[ "$id" == -* ]] || { echo "$id"; return 0; }
  done
}

format_if_needed() {
  if [[ -f "$DATA_DIR/meta.properties" ]]; then
    log "reusing formatted data dir $DATA_DIR (cluster.id=$(sed -n 's/^cluster.id=//p' "$DATA_DIR/meta.properties"))"
    return 0
  fi
  # Unformatted leftovers (e.g. a format that was interrupted) are useless: start from empty.
  rm -rf "$DATA_DIR"
  mkdir -p "$DATA_DIR"
  local cid out
  cid=$(random_cluster_id)
  log "formatting $DATA_DIR (cluster.id=$cid)"
  if ! out=$(java -Xmx256m -cp "$LIB_DIR/*" -Dlog4j2.configurationFile="$SCRIPT_DIR/log4j2.properties" \
      kafka.tools.StorageTool format -t "$cid" -c "$CONF" 2>&1); then
    printf '%s\n' "$out" >&2
    die "kafka.tools.StorageTool format failed"
  fi
  [[ -f "$DATA_DIR/meta.properties" ]] || { printf '%s\n' "$out" >&2; die "format did not write $DATA_DIR/meta.properties"; }
}

# ---------------------------------------------------------------- readiness
# Real client check through kafkajs (the client the project uses): metadata, topic
# listing and a group-coordinator lookup (which creates __consumer_offsets).
ready_check() { # $1 = timeout seconds
  node_run "$SCRIPT_DIR/ready.js" --brokers "$BROKER" --timeout "$1"
}

wait_ready() { # $1 = pid, $2 = start timestamp
  local pid=$1 t0=$2 deadline left
  deadline=$(( $(date +%s) + READY_TIMEOUT ))
  while ! port_open "$PORT"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log_tail 80
      rm -f "$PID_FILE"
      die "broker process $pid exited during startup (log: $LOG_FILE)"
    fi
    if (( $(date +%s) >= deadline )); then
      log_tail 80
      stop_pid "$pid"
      rm -f "$PID_FILE"
      die "port $PORT not open after ${READY_TIMEOUT}s; broker stopped (log: $LOG_FILE)"
    fi
    sleep 0.2
  done
  log "port $PORT open after $(elapsed "$t0") s; checking readiness with kafkajs ..."
  left=$(( deadline - $(date +%s) )); (( left < 5 )) && left=5
  if ! ready_check "$left"; then
    log_tail 80
    if kill -0 "$pid" 2>/dev/null; then stop_pid "$pid"; fi
    rm -f "$PID_FILE"
    die "broker on $BROKER not ready within ${READY_TIMEOUT}s; broker stopped (log: $LOG_FILE)"
  fi
}

# ---------------------------------------------------------------- start
do_start() {
  local pid t0
  mkdir -p "$STATE_DIR"
  pid=$(broker_pid)
  if [[ -n "$pid" ]]; then
    log "already running (pid $pid) on $BROKER; checking health ..."
    echo "$pid" >"$PID_FILE"
    if ready_check "$READY_TIMEOUT"; then
      log "already running and healthy (pid $pid, $BROKER)"
      return 0
    fi
    log_tail 60
    die "broker pid $pid is running but not healthy; try: $0 stop --port $PORT"
  fi
  rm -f "$PID_FILE"
  if port_open "$PORT" || port_open "$CONTROLLER_PORT"; then
    die "port $PORT or $CONTROLLER_PORT is in use by another process (not a broker started by this script for $RUN_DIR)"
  fi

  check_java
  with_lock 9 fetch do_fetch
  write_config
  format_if_needed

  mkdir -p "$RUN_DIR"
  [[ -f "$LOG_FILE" ]] && mv -f "$LOG_FILE" "$LOG_FILE.1"
  # JVM flags: -XX:TieredStopAtLevel=1 (C1 JIT only) makes start-up CPU-light, which on a
  # busy 2-core box cut start time from 15-29 s to ~11 s; throughput is ample for tests.
  # KAFKA_JVM_OPTS comes last, so e.g. KAFKA_JVM_OPTS=-XX:TieredStopAtLevel=4 restores C2.
  t0=$(now)
  log "starting Kafka $KAFKA_VERSION on $BROKER (controller 127.0.0.1:$CONTROLLER_PORT), data $DATA_DIR"
  # setsid: own session, so the broker survives the caller's terminal/process group.
  # The inner shell writes its own pid and execs java, so the pid file is the JVM's pid.
  # shellcheck disable=SC2086,SC2016 # HEAP_OPTS / KAFKA_JVM_OPTS are deliberately word-split
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$PID_FILE" \
    java $HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError \
      -Djava.awt.headless=true -Dlog4j2.configurationFile="$SCRIPT_DIR/log4j2.properties" \
      -Dkafka.logs.dir="$RUN_DIR" ${KAFKA_JVM_OPTS:-} \
      -cp "$LIB_DIR/*" kafka.Kafka "$CONF" \
    </dev/null >>"$LOG_FILE" 2>&1 8>&- 9>&- &
  for _ in $(seq 50); do [[ -s "$PID_FILE" ]] && break; sleep 0.05; done
  pid=$(tr -dc '0-9' <"$PID_FILE" 2>/dev/null || true)
  [[ -n "$pid" ]] || die "could not read pid file $PID_FILE"
  wait_ready "$pid" "$t0"
  log "Kafka $KAFKA_VERSION ready on $BROKER (pid $pid) in $(elapsed "$t0") s; log: $LOG_FILE"
}
cmd_start() { with_lock 8 "port-$PORT" do_start; }

# ---------------------------------------------------------------- stop
stop_pid() { # graceful SIGTERM, SIGKILL after STOP_TIMEOUT
  local pid=$1 t0 deadline
  t0=$(now)
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$(( $(date +%s) + STOP_TIMEOUT ))
  while kill -0 "$pid" 2>/dev/null; do
    if (( $(date +%s) >= deadline )); then
      log "pid $pid still alive after ${STOP_TIMEOUT}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
      break
    fi
    sleep 0.1
  done
  log "stopped pid $pid in $(elapsed "$t0") s"
}

do_stop() {
  local pid
  pid=$(broker_pid)
  if [[ -z "$pid" ]]; then
    log "not running on $BROKER"
  else
    log "stopping Kafka (pid $pid) on $BROKER ..."
    stop_pid "$pid"
  fi
  rm -f "$PID_FILE"
  if (( CLEAN )); then
    rm -rf "$DATA_DIR" "$CONF"
    log "removed data dir $DATA_DIR"
  fi
}
cmd_stop() { with_lock 8 "port-$PORT" do_stop; }

# ---------------------------------------------------------------- status / smoke / logs
cmd_status() {
  local pid
  pid=$(broker_pid)
  if [[ -z "$pid" ]]; then
    echo "kafka $KAFKA_VERSION on $BROKER: not running (data dir: $DATA_DIR$([[ -f $DATA_DIR/meta.properties ]] && echo ', formatted' || echo ', absent'))"
    return 1
  fi
  if ready_check 10 >/dev/null 2>&1; then
    echo "kafka $KAFKA_VERSION on $BROKER: running, ready (pid $pid, data $DATA_DIR, log $LOG_FILE)"
    return 0
  fi
  echo "kafka $KAFKA_VERSION on $BROKER: running (pid $pid) but NOT ready (log $LOG_FILE)"
  return 2
}

cmd_smoke() {
  [[ -n "$(broker_pid)" ]] || die "no broker running on $BROKER; run: $0 start --port $PORT"
  node_run "$SCRIPT_DIR/smoke.js" --brokers "$BROKER"
}

cmd_logs() {
  echo "$LOG_FILE"
  log_tail 40
}

case "$CMD" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  restart) CLEAN=0; cmd_stop; cmd_start ;;
  status) cmd_status ;;
  smoke) cmd_smoke ;;
  fetch) cmd_fetch ;;
  logs) cmd_logs ;;
  -h|--help|help) usage 0 ;;
  *) die "unknown command: $CMD (start|stop|restart|status|smoke|fetch|logs)" ;;
esac
