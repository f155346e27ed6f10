#!/usr/bin/env bash
# A local single-node Apache Kafka broker (KRaft mode) for development and tests.
#
#   kafka.sh fetch    download the broker jars with Maven into .cache/kafka/<version>/libs (once)
#   kafka.sh start    format storage if needed, start the broker in the background, wait until ready
#   kafka.sh stop     stop the broker started from this data dir
#   kafka.sh status   say whether it runs (exit 0) or not (exit 3)
#
# Environment (all optional):
#   KAFKA_BROKERS                  when set, an external cluster is used and `start` does nothing
#   FLINT_KAFKA_VERSION            broker version from Maven Central (default: scripts/kafka/VERSION,
#                                  the newest 4.x line; the 3.9 line works too)
#   FLINT_KAFKA_DATA_DIR           storage, config, pid and log files (default .flint/kafka)
#   FLINT_KAFKA_PORT               client listener on 127.0.0.1 (default 9092)
#   FLINT_KAFKA_CONTROLLER_PORT    KRaft controller listener on 127.0.0.1 (default 9093)
#   FLINT_KAFKA_HEAP_OPTS          JVM heap flags (default "-Xms256m -Xmx512m")
#   FLINT_KAFKA_START_TIMEOUT_S    how long `start` waits for the broker (default 120)
#   FLINT_KAFKA_STOP_TIMEOUT_S     how long `stop` waits before SIGKILL (default 30)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "$SCRIPT_DIR/../.." && pwd)"

# The one place the default broker version is written down; docker-compose.yml and the docs follow it
# (test/deploy/kafka-version.spec.ts checks).
DEFAULT_KAFKA_VERSION="$(tr -d '[:space:]' <"$SCRIPT_DIR/VERSION")"
KAFKA_VERSION="${FLINT_KAFKA_VERSION:-$DEFAULT_KAFKA_VERSION}"
[[ "$KAFKA_VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || {
  echo "[kafka] ERROR: FLINT_KAFKA_VERSION must be a version such as 4.4.0, got '$KAFKA_VERSION'" >&2
  exit 1
}
KAFKA_MAJOR="${KAFKA_VERSION%%.*}"
CACHE_DIR="$ROOT_DIR/.cache/kafka/$KAFKA_VERSION"
LIBS_DIR="$CACHE_DIR/libs"
FETCHED_MARKER="$LIBS_DIR/.fetched"

DATA_DIR="${FLINT_KAFKA_DATA_DIR:-$ROOT_DIR/.flint/kafka}"
[[ "$DATA_DIR" == /* ]] || DATA_DIR="$PWD/$DATA_DIR"
PORT="${FLINT_KAFKA_PORT:-9092}"
CONTROLLER_PORT="${FLINT_KAFKA_CONTROLLER_PORT:-9093}"
HEAP_OPTS="${FLINT_KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
START_TIMEOUT_S="${FLINT_KAFKA_START_TIMEOUT_S:-120}"
STOP_TIMEOUT_S="${FLINT_KAFKA_STOP_TIMEOUT_S:-30}"

log() { echo "[kafka] $*"; }
fail() {
  echo "[kafka] ERROR: $*" >&2
  exit 1
}

require_number() {
  [[ "$2" =~ ^[0-9]+$ ]] || fail "$1 must be a number, got '$2'"
}

cmd_fetch() {
  if [[ -f "$FETCHED_MARKER" ]]; then
    log "Kafka $KAFKA_VERSION jars already in $LIBS_DIR"
    return 0
  fi
  command -v mvn >/dev/null || fail "Maven (mvn) is needed to fetch the Kafka jars; install it (e.g. apt-get install maven)"
  command -v java >/dev/null || fail "a Java runtime (17+) is needed to run Kafka; install one (e.g. apt-get install openjdk-17-jdk-headless)"
  log "fetching Kafka $KAFKA_VERSION jars from Maven Central into $LIBS_DIR"
  mkdir -p "$CACHE_DIR"
  # Copy into a private folder and rename it at the end, so an interrupted or concurrent fetch never
  # leaves a half-filled libs folder that looks complete.
  local staging
  staging="$(mktemp -d "$CACHE_DIR/libs.staging.XXXXXX")"
  local mvn_log="$staging.log"
  # Kafka 4 logs through log4j 2, the 3.x line through log4j 1 (pom.xml's profiles).
  local profile=kafka4
  ((KAFKA_MAJOR >= 4)) || profile=kafka3
  if ! mvn -B -Dstyle.color=never -f "$SCRIPT_DIR/pom.xml" -P "$profile" \
    -Dkafka.version="$KAFKA_VERSION" \
    -DincludeScope=runtime \
    -DoutputDirectory="$staging" \
    dependency:copy-dependencies >"$mvn_log" 2>&1; then
    grep -E 'ERROR|BUILD' "$mvn_log" | tail -n 20 >&2
    rm -rf "$staging" "$mvn_log"
    fail "Maven could not fetch org.apache.kafka:kafka_2.13:$KAFKA_VERSION (is Maven Central reachable?)"
  fi
  rm -f "$mvn_log"
  [[ -f "$staging/kafka_2.13-$KAFKA_VERSION.jar" ]] || {
    rm -rf "$staging"
    fail "Maven finished but kafka_2.13-$KAFKA_VERSION.jar is missing"
  }
  date -u +%Y-%m-%dT%H:%M:%SZ >"$staging/.fetched"
  if [[ -f "$FETCHED_MARKER" ]]; then
    rm -rf "$staging" # another fetch finished first
  else
    rm -rf "$LIBS_DIR"
    mv "$staging" "$LIBS_DIR"
  fi
  log "Kafka $KAFKA_VERSION jars ready ($(find "$LIBS_DIR" -name '*.jar' | wc -l | tr -d ' ') jars, $(du -sm "$LIBS_DIR" | cut -f1) MB)"
}

pid_file() { echo "$DATA_DIR/kafka.pid"; }

# A zombie still answers `kill -0`; whoever reaps an orphaned broker may be slow or absent.
alive() {
  local state
  state="$(ps -o stat= -p "$1" 2>/dev/null)" || return 1
  [[ -n "$state" && "$state" != Z* ]]
}

# Whether `pid` is a broker started from this data dir (pids get reused).
is_our_broker() {
  local args
  alive "$1" || return 1
  args="$(ps -ww -o args= -p "$1" 2>/dev/null)" || return 1
  [[ "$args" == *kafka.Kafka* && "$args" == *" $DATA_DIR/server.properties"* ]]
}

# The pid of the broker started from this data dir, if one runs: the one its pid file names or, when
# the pid file is missing or stale, one found among the running processes (earlier versions of this
# script could lose the pid file of a broker they had started).
running_pid() {
  local file pid args
  file="$(pid_file)"
  if [[ -f "$file" ]]; then
    pid="$(cat "$file")"
    if [[ "$pid" =~ ^[0-9]+$ ]] && is_our_broker "$pid"; then
      echo "$pid"
      return 0
    fi
  fi
  while read -r pid args; do
    [[ "$args" == *kafka.Kafka* && "$args" == *" $DATA_DIR/server.properties"* ]] || continue
    if is_our_broker "$pid"; then
      echo "$pid"
      return 0
    fi
  done < <(ps -ww -eo pid=,args= 2>/dev/null)
  return 1
}

configured_port() {
  sed -n 's#^advertised.listeners=PLAINTEXT://127.0.0.1:\([0-9]*\)$#\1#p' "$DATA_DIR/server.properties"
}

port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

write_server_properties() {
  cat >"$DATA_DIR/server.properties" <<EOF
# Written by scripts/kafka/kafka.sh on every start; edits are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA_DIR/data

# Topics are provisioned explicitly by Flint, so a typo in a topic name is an error, not a new topic.
auto.create.topics.enable=false
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
group.initial.rebalance.delay.ms=0

# Sized for a laptop: few threads, small segments, a small compaction buffer.
num.network.threads=2
num.io.threads=4
log.segment.bytes=16777216
log.retention.hours=168
log.cleaner.dedupe.buffer.size=16777216
EOF
}

# The broker logs to $DATA_DIR/kafka.log; the command-line tools report only problems, to stderr.
# Kafka 4 logs through log4j 2, the 3.x line through log4j 1, each with its own configuration file.
write_log_config() {
  if ((KAFKA_MAJOR >= 4)); then
    cat >"$DATA_DIR/tools-log4j2.properties" <<EOF
status = warn
appender.stderr.type = Console
appender.stderr.name = stderr
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = stderr
EOF
    cat >"$DATA_DIR/log4j2.properties" <<EOF
status = warn
appender.file.type = RollingFile
appender.file.name = file
appender.file.fileName = $DATA_DIR/kafka.log
appender.file.filePattern = $DATA_DIR/kafka.log.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 10MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 2
rootLogger.level = info
rootLogger.appenderRef.file.ref = file
logger.request.name = kafka.request.logger
logger.request.level = warn
logger.clients.name = org.apache.kafka.clients
logger.clients.level = warn
EOF
  else
    cat >"$DATA_DIR/tools-log4j.properties" <<EOF
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
EOF
    cat >"$DATA_DIR/log4j.properties" <<EOF
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=$DATA_DIR/kafka.log
log4j.appender.file.MaxFileSize=10MB
log4j.appender.file.MaxBackupIndex=2
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.org.apache.kafka.clients=WARN
EOF
  fi
}

# The JVM flag that points the broker (`broker`) or a command-line tool (`tools`) at its log config.
log_config_flag() {
  local name
  if ((KAFKA_MAJOR >= 4)); then
    [[ "$1" == broker ]] && name=log4j2.properties || name=tools-log4j2.properties
    echo "-Dlog4j2.configurationFile=$DATA_DIR/$name"
  else
    [[ "$1" == broker ]] && name=log4j.properties || name=tools-log4j.properties
    echo "-Dlog4j.configuration=file:$DATA_DIR/$name"
  fi
}

# Kafka cluster ids are 16 random bytes in URL-safe base64 without padding.
generate_cluster_id() {
  head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'
}

format_storage() {
  [[ -f "$DATA_DIR/data/meta.properties" ]] && return 0
  local cluster_id
  cluster_id="$(generate_cluster_id)"
  log "formatting KRaft storage in $DATA_DIR/data (cluster id $cluster_id)"
  # A static single-voter quorum (controller.quorum.voters): formatting needs no --standalone or
  # --initial-controllers, in 3.9 and 4.x alike.
  java -Xmx256m -cp "$LIBS_DIR/*" "$(log_config_flag tools)" \
    kafka.tools.StorageTool format --ignore-formatted \
    --cluster-id="$cluster_id" --config="$DATA_DIR/server.properties" >"$DATA_DIR/format.out" 2>&1 ||
    fail "formatting storage failed:
$(tail -n 30 "$DATA_DIR/format.out")"
}

log_tail() {
  echo "--- last lines of $DATA_DIR/kafka.out ---"
  tail -n 20 "$DATA_DIR/kafka.out" 2>/dev/null || true
  echo "--- last lines of $DATA_DIR/kafka.log ---"
  tail -n 40 "$DATA_DIR/kafka.log" 2>/dev/null || true
}

# The project's Node 24 (node_modules/.bin/node, installed by `npm ci`) when there, else the PATH's.
node_bin() {
  if [[ -x "$ROOT_DIR/node_modules/.bin/node" ]]; then
    echo "$ROOT_DIR/node_modules/.bin/node"
  else
    command -v node
  fi
}

# Ready means the broker answers a metadata request, not merely that its port accepts connections.
broker_answers() {
  local node
  if node="$(node_bin)" && [[ -d "$ROOT_DIR/node_modules/kafkajs" ]]; then
    "$node" "$SCRIPT_DIR/probe.mjs" "127.0.0.1:$PORT" >/dev/null 2>&1
  else
    # Before `npm ci` there is no client to ask (the broker's jars carry no command-line client), so
    # an open port has to do.
    port_open "$PORT"
  fi
}

# Removes the pid file only while it still names `pid`, so it never loses the pid of another broker.
remove_pid_file_of() {
  local file
  file="$(pid_file)"
  [[ -f "$file" && "$(cat "$file" 2>/dev/null)" == "$1" ]] && rm -f "$file"
  return 0
}

wait_until_ready() {
  local pid="$1" deadline=$((SECONDS + START_TIMEOUT_S))
  while ((SECONDS < deadline)); do
    if ! alive "$pid"; then
      log_tail >&2
      remove_pid_file_of "$pid"
      fail "the broker (pid $pid) exited during start-up (see the log above)"
    fi
    if port_open "$PORT" && broker_answers; then
      return 0
    fi
    sleep 1
  done
  log_tail >&2
  fail "the broker (pid $pid) did not answer on 127.0.0.1:$PORT within ${START_TIMEOUT_S}s; it is left running, stop it with: $0 stop"
}

cmd_start() {
  if [[ -n "${KAFKA_BROKERS:-}" ]]; then
    log "KAFKA_BROKERS is set ($KAFKA_BROKERS): using that cluster, not starting a local broker"
    return 0
  fi
  require_number FLINT_KAFKA_PORT "$PORT"
  require_number FLINT_KAFKA_CONTROLLER_PORT "$CONTROLLER_PORT"
  require_number FLINT_KAFKA_START_TIMEOUT_S "$START_TIMEOUT_S"

  local pid
  if pid="$(running_pid)"; then
    local running_port
    running_port="$(configured_port)"
    [[ "$running_port" == "$PORT" ]] ||
      fail "the broker from $DATA_DIR already runs on port $running_port (pid $pid); stop it first or set FLINT_KAFKA_PORT=$running_port"
    log "reusing the broker already running from $DATA_DIR (pid $pid)"
    echo "$pid" >"$(pid_file)"
    wait_until_ready "$pid"
    log "ready at 127.0.0.1:$PORT"
    return 0
  fi

  command -v java >/dev/null || fail "a Java runtime (17+) is needed to run Kafka"
  port_open "$PORT" && fail "127.0.0.1:$PORT is already in use by another process; set FLINT_KAFKA_PORT or KAFKA_BROKERS"
  port_open "$CONTROLLER_PORT" && fail "127.0.0.1:$CONTROLLER_PORT is already in use by another process; set FLINT_KAFKA_CONTROLLER_PORT"
  cmd_fetch

  mkdir -p "$DATA_DIR"
  write_server_properties
  write_log_config
  format_storage

  log "starting Kafka $KAFKA_VERSION on 127.0.0.1:$PORT (data in $DATA_DIR)"
  # No broker from this data dir runs (running_pid said so above), so a pid file left here is stale:
  # the broker that wrote it was killed (kill -9, a crash, a reboot). Remove it first, or the wait
  # below would read the dead broker's pid, report the new broker as exited, and lose its pid.
  rm -f "$(pid_file)"
  # A session of its own (where setsid exists; macOS lacks it), so Ctrl-C in the terminal that ran
  # `start` does not reach the broker. The launched process writes its own pid to a file of this
  # start's own and then becomes the JVM, so the file holds the JVM's pid; it is renamed to the pid
  # file only once complete.
  local detach=() launch_file
  command -v setsid >/dev/null && detach=(setsid)
  launch_file="$(pid_file).$$"
  rm -f "$launch_file"
  # shellcheck disable=SC2086 # HEAP_OPTS is a list of flags
  ${detach[@]+"${detach[@]}"} bash -c 'echo $$ >"$1.tmp" && mv "$1.tmp" "$1"; shift; exec "$@"' _ \
    "$launch_file" \
    java $HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
    -Djava.awt.headless=true "$(log_config_flag broker)" \
    -cp "$LIBS_DIR/*" kafka.Kafka "$DATA_DIR/server.properties" \
    </dev/null >"$DATA_DIR/kafka.out" 2>&1 &

  local deadline=$((SECONDS + 10))
  until [[ -s "$launch_file" ]]; do
    ((SECONDS < deadline)) || fail "the broker process did not start"
    sleep 0.1
  done
  pid="$(cat "$launch_file")"
  mv "$launch_file" "$(pid_file)"
  wait_until_ready "$pid"
  log "ready at 127.0.0.1:$PORT (pid $pid, log $DATA_DIR/kafka.log)"
}

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$(pid_file)"
    log "no broker running from $DATA_DIR"
    return 0
  fi
  require_number FLINT_KAFKA_STOP_TIMEOUT_S "$STOP_TIMEOUT_S"
  log "stopping the broker (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT_S))
  while alive "$pid" && ((SECONDS < deadline)); do
    sleep 0.5
  done
  if alive "$pid"; then
    log "the broker did not stop within ${STOP_TIMEOUT_S}s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
    while alive "$pid"; do sleep 0.2; done
  fi
  remove_pid_file_of "$pid"
  log "stopped"
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    log "running from $DATA_DIR on 127.0.0.1:$(configured_port) (pid $pid)"
    return 0
  fi
  log "not running (data dir $DATA_DIR)"
  return 3
}

case "${1:-}" in
fetch) cmd_fetch ;;
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
*)
  echo "usage: $0 fetch|start|stop|status" >&2
  exit 2
  ;;
esac
