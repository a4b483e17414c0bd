#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for coderx, then configures and builds. Idempotent: a second
# run installs nothing and rebuilds only what changed. Runs as root without prompts.
#   scripts/setup.sh [--no-build] [--build-dir DIR] [extra cmake -D options...]
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential cmake ninja-build ccache git pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-system1.81-dev
  libspdlog-dev libfmt-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-14 libclang-rt-14-dev llvm-14-tools
  neovim hyperfine
)
# Node.js 20 with npm: the machine image ships it (nodesource build, npm bundled); Debian's
# nodejs + npm packages are installed only where no node/npm exists.
command -v npm >/dev/null 2>&1 || APT_PACKAGES+=(nodejs npm)

build=1
build_dir=build
cmake_extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0 ;;
    --build-dir) build_dir="$2"; shift ;;
    -D*) cmake_extra+=("$1") ;;
    *) echo "setup.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done

missing_packages() {
  local p
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}

install_apt() {
  local missing
  missing=$(missing_packages)
  [ -z "$missing" ] && return 0
  echo "setup: installing apt packages: $(echo $missing)"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  # shellcheck disable=SC2086
  $sudo apt-get install -y -q --no-install-recommends $missing
}

# npm ci wipes and reinstalls node_modules; skip it when the installed tree matches the lock.
install_npm() {
  local stamp=node_modules/.coderx-lock-sha
  local want
  want=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f node_modules/tree-sitter/vendor/tree-sitter/lib/src/lib.c ]; then
    return 0
  fi
  echo "setup: npm ci --ignore-scripts"
  npm ci --ignore-scripts --no-audit --no-fund
  echo "$want" > "$stamp"
}

configure_and_build() {
  # ccache keys on relative paths under the checkout, so a fresh clone elsewhere still hits. With
  # -g it would also key on the build folder's absolute path; CCACHE_NOHASHDIR stops that (the
  # debug info then names the checkout that compiled first).
  export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
  if [ ! -f "$build_dir/build.ninja" ] || [ ${#cmake_extra[@]} -gt 0 ]; then
    cmake -S . -B "$build_dir" -G Ninja "${cmake_extra[@]}"
  fi
  cmake --build "$build_dir" -j "$(nproc)"
}

install_apt
install_npm
# The VS Code extension has its own npm lock; this installs it (when the lock changed) and runs tsc.
editors/vscode/scripts/setup.sh
[ "$build" -eq 1 ] && configure_and_build
echo "setup: done"
