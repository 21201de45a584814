#!/usr/bin/env bash
# A real Kubernetes control plane on loopback for rcplan's Kubernetes tests: etcd,
# kube-apiserver (RBAC authorization) and kube-controller-manager, built from their Go modules
# at the release tests/kubernetes/testenv/go.mod pins. No kubelet, no scheduler, no CNI: pods
# are created by the controllers but never run.
#
# Usage:
#   scripts/kube-testenv.sh up DIR        build (once; cached), start, write DIR/kubeconfig, print its path
#   scripts/kube-testenv.sh down DIR      stop what `up DIR` started
#   scripts/kube-testenv.sh restart-apiserver DIR   stop kube-apiserver and start it again (same port)
#   scripts/kube-testenv.sh build         only build the binaries, print their directory
#
# The binaries are cached under ${RCPLAN_CACHE_DIR:-~/.cache/rcplan}/kube-testenv/<key>, the key
# being a hash of the module's files, so a second `up` starts in seconds. Go's own module and
# build caches live outside the checkout too.
#
# Exit status 3 means the control plane cannot be built here (no Go toolchain new enough); the
# reason is printed and written to DIR/unavailable. RCPLAN_GO names the go binary to use
# (default: go on PATH, then /usr/local/go/bin/go, then /usr/lib/go/bin/go).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
module="$root/tests/kubernetes/testenv"

die() {
  echo "kube-testenv: $*" >&2
  exit 1
}

# --- Go --------------------------------------------------------------------------------------

required_go() { sed -n 's/^go \([0-9.]*\)$/\1/p' "$module/go.mod"; }

find_go() {
  local candidate
  if [[ -n "${RCPLAN_GO:-}" ]]; then  # a chosen toolchain, and no other
    [[ -x "$RCPLAN_GO" ]] && echo "$RCPLAN_GO"
    return
  fi
  for candidate in "$(command -v go 2>/dev/null || true)" /usr/local/go/bin/go /usr/lib/go/bin/go; do
    [[ -n "$candidate" && -x "$candidate" ]] && {
      echo "$candidate"
      return 0
    }
  done
  return 1
}

# Whether version $1 (e.g. 1.26.8) is at least $2 (e.g. 1.26.0).
version_at_least() { [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" == "$2" ]]; }

# Prints the go binary to use, or the reason there is none (on stderr) and returns 3.
usable_go() {
  local want go have
  want=$(required_go)
  if ! go=$(find_go); then
    echo "no Go toolchain found (the control plane needs Go $want or newer; install it at /usr/local/go or on PATH)" >&2
    return 3
  fi
  have=$("$go" env GOVERSION 2>/dev/null | sed 's/^go//')
  if ! version_at_least "${have:-0}" "$want"; then
    echo "Go ${have:-of unknown version} at $go is too old: the control plane needs Go $want or newer" >&2
    return 3
  fi
  echo "$go"
}

cache_root() { echo "${RCPLAN_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/rcplan}/kube-testenv"; }

cache_key() {
  (cd "$module" && find . -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' \) -print0 | sort -z |
    xargs -0 sha256sum) | sha256sum | cut -c1-16
}

# Builds etcd, kube-apiserver and kube-controller-manager unless the cache has them; prints the
# directory that holds them.
build_binaries() {
  local go bin tmp
  go=$(usable_go) || return 3
  bin="$(cache_root)/$(cache_key)/bin"
  if [[ -x "$bin/kube-apiserver" && -x "$bin/kube-controller-manager" && -x "$bin/etcd" ]]; then
    echo "$bin"
    return 0
  fi
  echo "kube-testenv: building etcd, kube-apiserver and kube-controller-manager with $("$go" env GOVERSION) (once)" >&2
  tmp="$bin.tmp.$$"
  mkdir -p "$tmp"
  (cd "$module" && GOFLAGS=-mod=mod "$go" build -trimpath -ldflags=-s -o "$tmp/" ./cmd/etcd \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager) >&2
  rm -rf "$bin"
  mv "$tmp" "$bin"
  echo "$bin"
}

# --- certificates ------------------------------------------------------------------------------

# make_cert NAME SUBJECT [SAN] : a key and a certificate signed by DIR/pki/ca.
make_cert() {
  local pki=$1 name=$2 subject=$3 san=${4:-}
  local ext="$pki/$name.ext"
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    if [[ -n "$san" ]]; then
      echo "extendedKeyUsage=serverAuth,clientAuth"
      echo "subjectAltName=$san"
    else
      echo "extendedKeyUsage=clientAuth"
    fi
  } >"$ext"
  openssl req -new -newkey rsa:2048 -nodes -keyout "$pki/$name.key" -subj "$subject" -out "$pki/$name.csr" 2>/dev/null
  openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 3650 \
    -sha256 -extfile "$ext" -out "$pki/$name.crt" 2>/dev/null
  rm -f "$pki/$name.csr" "$ext"
}

make_pki() {
  local pki=$1
  mkdir -p "$pki"
  chmod 700 "$pki"
  openssl req -x509 -new -newkey rsa:2048 -nodes -keyout "$pki/ca.key" -subj "/CN=rcplan-testenv-ca" -days 3650 \
    -sha256 -out "$pki/ca.crt" 2>/dev/null
  make_cert "$pki" apiserver "/CN=kube-apiserver" \
    "IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc"
  make_cert "$pki" admin "/O=system:masters/CN=rcplan-testenv-admin"
  make_cert "$pki" controller-manager "/CN=system:kube-controller-manager"
  openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
  openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
}

# write_kubeconfig FILE SERVER USER CERT KEY CA
write_kubeconfig() {
  local file=$1 server=$2 user=$3 cert=$4 key=$5 ca=$6
  umask 077
  cat >"$file" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: testenv
  cluster:
    server: $server
    certificate-authority-data: $(base64 -w0 <"$ca")
users:
- name: $user
  user:
    client-certificate-data: $(base64 -w0 <"$cert")
    client-key-data: $(base64 -w0 <"$key")
contexts:
- name: $user@testenv
  context:
    cluster: testenv
    user: $user
    namespace: default
current-context: $user@testenv
EOF
}

# --- processes ---------------------------------------------------------------------------------

# A free TCP port on loopback: one nothing answers on, from a range clear of the ephemeral ports.
free_port() {
  local p
  for _ in $(seq 200); do
    p=$((20000 + RANDOM % 10000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  die "no free port found"
}

start() {
  local dir=$1 name=$2
  shift 2
  "$@" >"$dir/logs/$name.log" 2>&1 &
  echo $! >"$dir/$name.pid"
}

stop() {
  local dir=$1 name=$2 pid
  [[ -f "$dir/$name.pid" ]] || return 0
  pid=$(cat "$dir/$name.pid")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/$name.pid"
}

# wait_for URL NAME : until the URL answers 200 with the admin certificate, or 60 s.
wait_for() {
  local dir=$1 url=$2 name=$3
  for _ in $(seq 600); do
    if curl -sf --cacert "$dir/pki/ca.crt" --cert "$dir/pki/admin.crt" --key "$dir/pki/admin.key" "$url" >/dev/null 2>&1; then
      return 0
    fi
    if ! kill -0 "$(cat "$dir/$name.pid")" 2>/dev/null; then
      tail -n 30 "$dir/logs/$name.log" >&2
      die "$name exited; its log is $dir/logs/$name.log"
    fi
    sleep 0.1
  done
  tail -n 30 "$dir/logs/$name.log" >&2
  die "$name did not become ready at $url within 60 s"
}

start_apiserver() {
  local dir=$1 bin
  bin=$(cat "$dir/bin")
  # shellcheck source=/dev/null
  source "$dir/ports"
  start "$dir" kube-apiserver "$bin/kube-apiserver" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$apiserver_port" \
    --etcd-servers="http://127.0.0.1:$etcd_port" \
    --tls-cert-file="$dir/pki/apiserver.crt" --tls-private-key-file="$dir/pki/apiserver.key" \
    --client-ca-file="$dir/pki/ca.crt" \
    --authorization-mode=RBAC \
    --service-account-issuer=https://kubernetes.default.svc \
    --service-account-key-file="$dir/pki/sa.pub" --service-account-signing-key-file="$dir/pki/sa.key" \
    --service-cluster-ip-range=10.0.0.0/24 --allow-privileged=true \
    --etcd-compaction-interval=10s --profiling=false
  wait_for "$dir" "https://127.0.0.1:$apiserver_port/readyz" kube-apiserver
}

start_controller_manager() {
  local dir=$1 bin
  bin=$(cat "$dir/bin")
  # shellcheck source=/dev/null
  source "$dir/ports"
  start "$dir" kube-controller-manager "$bin/kube-controller-manager" \
    --kubeconfig="$dir/controller-manager.kubeconfig" \
    --authentication-kubeconfig="$dir/controller-manager.kubeconfig" \
    --authorization-kubeconfig="$dir/controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port="$kcm_port" \
    --service-account-private-key-file="$dir/pki/sa.key" --root-ca-file="$dir/pki/ca.crt" \
    --use-service-account-credentials=true --leader-elect=false \
    --controllers='*,-nodeipam,-nodelifecycle,-cloud-node-lifecycle,-service-lb-controller,-route' \
    --profiling=false
  # The controller manager is ready once it serves its health endpoint.
  for _ in $(seq 600); do
    curl -sfk "https://127.0.0.1:$kcm_port/healthz" >/dev/null 2>&1 && break
    kill -0 "$(cat "$dir/kube-controller-manager.pid")" 2>/dev/null ||
      die "kube-controller-manager exited; its log is $dir/logs/kube-controller-manager.log"
    sleep 0.1
  done
}

up() {
  local dir=$1 bin status=0
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  rm -f "$dir/unavailable"
  if [[ -f "$dir/kube-apiserver.pid" ]] && kill -0 "$(cat "$dir/kube-apiserver.pid")" 2>/dev/null; then
    echo "$dir/kubeconfig"
    return 0
  fi
  bin=$(build_binaries 2>"$dir/build.log") || status=$?
  cat "$dir/build.log" >&2
  if ((status == 3)); then
    tail -n1 "$dir/build.log" >"$dir/unavailable"
    exit 3
  fi
  ((status == 0)) || die "building the control plane failed (see $dir/build.log)"
  echo "$bin" >"$dir/bin"
  mkdir -p "$dir/logs"
  [[ -f "$dir/pki/ca.crt" ]] || make_pki "$dir/pki"

  local etcd_port etcd_peer_port apiserver_port kcm_port
  etcd_port=$(free_port)
  etcd_peer_port=$(free_port)
  apiserver_port=$(free_port)
  kcm_port=$(free_port)
  printf 'etcd_port=%s\netcd_peer_port=%s\napiserver_port=%s\nkcm_port=%s\n' \
    "$etcd_port" "$etcd_peer_port" "$apiserver_port" "$kcm_port" >"$dir/ports"

  rm -rf "$dir/etcd"  # every run starts from an empty cluster
  start "$dir" etcd "$bin/etcd" --name testenv --data-dir "$dir/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$etcd_peer_port" \
    --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer_port" \
    --initial-cluster "testenv=http://127.0.0.1:$etcd_peer_port" --unsafe-no-fsync
  for _ in $(seq 300); do
    curl -sf "http://127.0.0.1:$etcd_port/health" >/dev/null 2>&1 && break
    kill -0 "$(cat "$dir/etcd.pid")" 2>/dev/null || die "etcd exited; its log is $dir/logs/etcd.log"
    sleep 0.1
  done

  start_apiserver "$dir"
  local server="https://127.0.0.1:$apiserver_port"
  write_kubeconfig "$dir/kubeconfig" "$server" admin "$dir/pki/admin.crt" "$dir/pki/admin.key" "$dir/pki/ca.crt"
  write_kubeconfig "$dir/controller-manager.kubeconfig" "$server" controller-manager \
    "$dir/pki/controller-manager.crt" "$dir/pki/controller-manager.key" "$dir/pki/ca.crt"

  start_controller_manager "$dir"
  # Its controllers run once the service account controller has made the default account;
  # until then an API server restart would make it give up.
  wait_for "$dir" "https://127.0.0.1:$apiserver_port/api/v1/namespaces/default/serviceaccounts/default" \
    kube-controller-manager
  echo "$dir/kubeconfig"
}

down() {
  local dir=$1
  [[ -d "$dir" ]] || return 0
  stop "$dir" kube-controller-manager
  stop "$dir" kube-apiserver
  stop "$dir" etcd
}

restart_apiserver() {
  local dir=$1
  stop "$dir" kube-apiserver
  start_apiserver "$dir"
  # A controller manager still starting gives up when the API server goes away under it.
  if ! kill -0 "$(cat "$dir/kube-controller-manager.pid" 2>/dev/null)" 2>/dev/null; then
    start_controller_manager "$dir"
  fi
}

case "${1:-}" in
  up)
    [[ $# -eq 2 ]] || die "usage: $0 up DIR"
    up "$2"
    ;;
  down)
    [[ $# -eq 2 ]] || die "usage: $0 down DIR"
    down "$2"
    ;;
  restart-apiserver)
    [[ $# -eq 2 ]] || die "usage: $0 restart-apiserver DIR"
    restart_apiserver "$(cd "$2" && pwd)"
    ;;
  build)
    build_binaries
    ;;
  *)
    die "usage: $0 up DIR | down DIR | restart-apiserver DIR | build"
    ;;
esac
