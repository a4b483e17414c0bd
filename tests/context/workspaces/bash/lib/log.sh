LOG_LEVEL=info

log_info() {
  echo "[info] $*"
}
