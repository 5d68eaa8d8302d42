#!/bin/sh
# setup.sh - installs the Debian packages the application parts of `make bench` run, and gnuplot for the plots (needs root and apt).
set -eu
PKGS="p7zip-full povray mafft postmark openssl xz-utils gzip python3"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
command -v gnuplot >/dev/null 2>&1 || missing="$missing gnuplot-nox"
[ -z "$missing" ] && exit 0
echo "bench setup: installing$missing"
if [ "$(id -u)" != 0 ]; then
	echo "bench setup: not root, cannot install$missing; the rows that need them are skipped" >&2
	exit 0
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
