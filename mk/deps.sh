#!/bin/sh
# Installs the Debian packages modeldeck needs when they are missing.
#   sh mk/deps.sh build   libraries and tools to build and run
#   sh mk/deps.sh test    the above, plus what the test suite uses
#   sh mk/deps.sh bench   the above, plus the Python peer of the benchmarks
#   sh mk/deps.sh fuzz    the above (build), plus clang and its libFuzzer runtime
# As root it runs apt-get; otherwise it prints the exact command and fails.
set -eu

build_pkgs="gcc make pkg-config libncurses-dev libsqlite3-dev libcurl4-openssl-dev libjansson-dev libssl-dev"
test_pkgs="check tmux procps sqlite3 python3 python3-numpy python3-scipy python3-sklearn"

bench_pkgs="python3-pandas python3-scipy python3-sklearn time"

case "${1:-build}" in
build) want="$build_pkgs" ;;
test) want="$build_pkgs $test_pkgs" ;;
bench) want="$build_pkgs $bench_pkgs" ;;
fuzz) want="$build_pkgs clang" ;; # libFuzzer's runtime is checked once clang is there (below)
*) echo "usage: sh mk/deps.sh build|test|bench|fuzz" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
    # Not Debian: trust pkg-config to tell whether the libraries are there.
    if pkg-config --exists ncursesw sqlite3 libcurl jansson libcrypto 2>/dev/null; then exit 0; fi
    echo "modeldeck: deps: this is not a Debian system; install the development packages of" \
         "ncursesw, sqlite3, libcurl, jansson, OpenSSL (libcrypto) and check, and pkg-config" >&2
    exit 1
fi

# ensure PACKAGE...: installs those of them that are missing (as root), else names them and
# fails.
ensure() {
    missing=""
    for p in "$@"; do
        status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
        [ "$status" = "installed" ] || missing="$missing $p"
    done
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "modeldeck: deps: missing Debian packages:$missing" >&2
        echo "modeldeck: deps: install them with:" >&2
        echo "  sudo apt-get install -y$missing" >&2
        exit 1
    fi
    echo "modeldeck: deps: installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing
}

# shellcheck disable=SC2086
ensure $want

# libFuzzer's runtime: libclang-rt-N-dev for clang N, only recommended by clang's packages
if [ "${1:-build}" = fuzz ] &&
    [ ! -f "$(clang -print-file-name="libclang_rt.fuzzer-$(uname -m).a")" ]; then
    ensure "libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev"
fi
