# Shared by the scripts in this directory: the Debian packages rcplan builds against, and
# installing them only when something is missing, so that a re-run goes straight to the build.

rcplan_packages=(
  g++ cmake ninja-build pkg-config
  redis-server redis-tools
  librange-v3-dev nlohmann-json3-dev catch2 librapidcheck-dev
  libcli11-dev libyaml-cpp-dev libhiredis-dev libbenchmark-dev
)

rcplan_missing_packages() {
  local pkg
  for pkg in "${rcplan_packages[@]}"; do
    if [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" != "install ok installed" ]]; then
      echo "$pkg"
    fi
  done
}

rcplan_ensure_packages() {
  local missing
  mapfile -t missing < <(rcplan_missing_packages)
  if ((${#missing[@]} == 0)); then
    return 0
  fi
  echo "installing: ${missing[*]}" >&2
  local sudo=()
  if ((EUID != 0)); then
    if ! command -v sudo >/dev/null; then
      echo "missing packages (${missing[*]}) and not root; install them or re-run as root" >&2
      return 1
    fi
    sudo=(sudo)
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${rcplan_packages[@]}"
}

rcplan_configure() {
  local build_dir=$1
  shift
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
}
