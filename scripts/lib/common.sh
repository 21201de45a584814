# Shared by the scripts in this directory: the Debian packages rcplan builds against, and
# installing them only when something is missing, so that a re-run goes straight to the build.

rcplan_packages=(
  g++ cmake ninja-build pkg-config
  redis-server redis-tools
  librange-v3-dev nlohmann-json3-dev catch2 librapidcheck-dev
  libcli11-dev libyaml-cpp-dev libbenchmark-dev libcurl4-openssl-dev
  libssl-dev curl openssl
  iproute2 nftables
  ccache
  rclone
  python3 python3-pytest
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

# Configures a build: RelWithDebInfo unless RCPLAN_BUILD_TYPE says otherwise, warnings as
# errors only when RCPLAN_WERROR=ON (rcplan's CI sets it), compiled through ccache when it is
# there so that a second build of the same sources is quick.
rcplan_configure() {
  local build_dir=$1
  shift
  local launcher=()
  if command -v ccache >/dev/null; then
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  fi
  # RCPLAN_TEST_OPTIMIZATION: an optimization flag for the test sources alone (tests/CMakeLists.txt)
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${RCPLAN_BUILD_TYPE:-RelWithDebInfo}" \
    -DRCPLAN_WERROR="${RCPLAN_WERROR:-OFF}" -DRCPLAN_TEST_OPTIMIZATION="${RCPLAN_TEST_OPTIMIZATION:-}" "${launcher[@]}" "$@"
}

# The servers the tests start besides redis-server, made ready before the C++ builds so that the
# two do not compete for the cores while tests run: the Kubernetes control plane, built from
# Go modules on first use (then cached; without Go the Kubernetes tests report themselves
# skipped, saying why), and the backup tests' S3 server (s3rver from npm, cached outside the
# checkout). $1 names the calling script in what it says. One at a time: a second caller (CI
# prepares them beside its first build, and test.sh asks again before its tests) waits for the
# first and then finds everything cached.
rcplan_prepare_test_servers() {
  local who=$1 lock
  lock="${RCPLAN_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/rcplan}/prepare.lock"
  mkdir -p "$(dirname "$lock")"
  (
    flock 9
    scripts/kube-testenv.sh build >/dev/null || echo "$who: the Kubernetes control plane cannot be built here (see above)" >&2
    rcplan_ensure_node || echo "$who: Node.js cannot be installed here; the S3 tests say why" >&2
    scripts/s3-testenv.sh install >/dev/null || echo "$who: s3rver cannot be installed here (see above)" >&2
  ) 9>"$lock"
}

# Installs Debian packages (as root, or via sudo) for the tools some scripts need beyond the
# build's own packages.
rcplan_apt_install() {
  local sudo=()
  ((EUID != 0)) && sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
}

# Node.js and npm for the S3-compatible server of the backup tests (scripts/s3-testenv.sh):
# Debian's packages when no node is installed at all (a machine may carry its own Node.js).
rcplan_ensure_node() {
  command -v node >/dev/null && command -v npm >/dev/null && return 0
  rcplan_apt_install nodejs npm
}

# Clang for the builds that check rcplan compiles with it too (scripts/build-configs.sh), the
# sanitizer builds and the fuzz targets.
rcplan_ensure_clang() {
  command -v clang++ >/dev/null || rcplan_apt_install clang
  # libFuzzer and the sanitizers' runtimes
  [[ -e "$(clang++ -print-resource-dir)/lib/linux/libclang_rt.fuzzer-x86_64.a" ]] ||
    rcplan_apt_install libclang-rt-14-dev
}

# gnuplot for the strategy report's plots (bench/report.sh).
rcplan_ensure_gnuplot() {
  command -v gnuplot >/dev/null && return 0
  rcplan_apt_install gnuplot-nox
}
