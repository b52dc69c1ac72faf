# Shared by scripts/demo and scripts/screenshots: Home Assistant in .demo/ (made
# afresh each time) on 127.0.0.1:$DEMO_PORT (8123), the demo's simulated
# devices, and the storyline of scripts/lib/demo.py, which sets Home Assistant
# up through its HTTP APIs and prints the address and the login. Sourced, not
# run, from the repository's root after scripts/env.sh and scripts/lib/hass.sh.

DEMO_DIR="$ROOT/.demo"
DEMO_PORT=${DEMO_PORT:-8123}
DEMO_CONTROL_PORT=${DEMO_CONTROL_PORT:-9990}
DEMO_URL="http://$HOST:$DEMO_PORT"
DEMO_AUTH="$DEMO_DIR/auth.json" # the demo user's tokens, for scripts/screenshots

demo_up() {
  stop_all_on_exit
  ensure_hass_envs
  ensure_hass_requirements scripts/lib/configuration.yaml
  listening "$HOST" "$DEMO_PORT" && die "something already answers on $DEMO_URL (scripts/develop, or another demo?); DEMO_PORT=8124 $0 uses another port"
  rm -rf "$DEMO_DIR"
  mkdir -p "$DEMO_DIR"
  prepare_hass_config "$DEMO_DIR/config" --port "$DEMO_PORT" --discovery
  "$PY" scripts/lib/demo.py fleet "$DEMO_DIR/fleet.json"
  start_simulator "$DEMO_DIR/simulator.log" "$DEMO_CONTROL_PORT" --fleet "$DEMO_DIR/fleet.json"
  start_hass "$DEMO_DIR/config" "$DEMO_URL" "$DEMO_DIR/hass.out"
  alive "$HASS_PID" || die "Home Assistant stopped; see .demo/config/home-assistant.log"
  say "Home Assistant answers on $DEMO_URL; setting it up through its HTTP APIs"
  spawn - "$PY" scripts/lib/demo.py run --url "$DEMO_URL" --control-port "$DEMO_CONTROL_PORT" --auth "$DEMO_AUTH"
  watch "$LAST_PID" "the storyline"
}
