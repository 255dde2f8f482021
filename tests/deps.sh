#!/bin/sh
# Install every build, test and demo dependency on Debian 12 (as root).
# Used by `make deps` (README quick start) and by .ci/run.
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends \
	build-essential clang libclang-rt-14-dev pkg-config \
	libssl-dev libcurl4-openssl-dev libxml2-dev libjson-c-dev libinih-dev \
	libpam0g-dev libpam-modules \
	lighttpd busybox curl ca-certificates passwd \
	libpam-wrapper libnss-wrapper libpam-pwdfile \
	python3-boto3 awscli chromium valgrind time wrk strace
# lighttpd's package starts a system instance on port 80; the tests and the
# demo run their own on 127.0.0.1 and need nothing from it.
# moto plays AWS. Debian 12 does not package it; the machine's python3 has it.
python3 -c 'import moto, boto3' 2>/dev/null || {
	echo "deps: 'python3' needs the moto and boto3 modules (moto plays AWS" >&2
	echo "deps: in the demo and tests); install them into that python3" >&2
	exit 1
}
