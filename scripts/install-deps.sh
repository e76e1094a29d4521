#!/usr/bin/env bash
# Installs what Netra needs to build and test on Debian, skipping what is already there.
# Swift itself is not a Debian package on bookworm: it must be on PATH (the project's machines
# have it at /opt/swift/usr/bin).
set -euo pipefail

if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi
if ! command -v swift >/dev/null 2>&1; then
    echo "install-deps: the Swift 6 toolchain is not on PATH; install it (swift.org) and run again" >&2
    exit 2
fi

# Debian packages: system ICU and pkg-config for the CICU shim.
packages=(libicu-dev pkg-config)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi

# Optional, never fatal: Java 17+ (Debian) and pyspark (PyPI, pinned) for the Spark local-mode
# test in Tests/NetraCLITests/ShardingTests.swift, which is skipped with a message without them.
# NETRA_SKIP_SPARK=1 skips this step. pyspark goes into the python3 on PATH when pip may install
# there, else into a virtual environment at .build/spark-venv (which the test also looks for).
PYSPARK_VERSION=4.3.0
spark_deps() {
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
    local apt_updated=0
    apt_install() {
        [ "$apt_updated" -eq 1 ] || { $sudo apt-get update -qq </dev/null && apt_updated=1; } || return 1
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" </dev/null
    }
    java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1; }
    if ! command -v java >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ] 2>/dev/null; then
        echo "install-deps: installing Java 17 for the Spark test (openjdk-17-jre-headless)" >&2
        apt_install openjdk-17-jre-headless || apt_install default-jre-headless \
            || { echo "install-deps: Java could not be installed; the Spark test will be skipped" >&2; return 0; }
    fi
    if python3 -c 'import pyspark' >/dev/null 2>&1 || .build/spark-venv/bin/python3 -c 'import pyspark' >/dev/null 2>&1; then
        return 0
    fi
    echo "install-deps: installing pyspark==$PYSPARK_VERSION from PyPI for the Spark test (about 450 MB)" >&2
    if timeout 900 python3 -m pip install --quiet --disable-pip-version-check "pyspark==$PYSPARK_VERSION" </dev/null; then
        return 0
    fi
    echo "install-deps: pip may not install into this python3; trying a virtual environment in .build/spark-venv" >&2
    python3 -c 'import ensurepip' >/dev/null 2>&1 || apt_install python3-venv || true
    if python3 -m venv .build/spark-venv \
        && timeout 900 .build/spark-venv/bin/python3 -m pip install --quiet --disable-pip-version-check "pyspark==$PYSPARK_VERSION" </dev/null; then
        return 0
    fi
    echo "install-deps: pyspark could not be installed; the Spark test will be skipped" >&2
}
if [ "${NETRA_SKIP_SPARK:-0}" != 1 ]; then
    cd "$(dirname "$0")/.."
    spark_deps || echo "install-deps: the Spark test's dependencies could not be installed; it will be skipped" >&2
fi
