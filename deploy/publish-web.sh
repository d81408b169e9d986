#!/bin/sh
# Publish a build of the SPA (make web -> web/dist) into the directory that nginx serves /assets/ from and the
# app serves index.html from (WEB_DIST), without a moment in which a page or a chunk is missing:
#   deploy/publish-web.sh [BUILD] [TARGET]      (defaults: /srv/ledger/app/web/dist /srv/ledger/static)
# Every file other than an index.html first (content-hashed names: new ones appear, older releases' stay, so a
# page loaded before the release still finds its chunks), then each index.html, each by an atomic rename.
# Old bundles pile up slowly; `find TARGET/assets -mtime +30 -delete` now and then keeps a month of them.
set -eu
build=${1:-/srv/ledger/app/web/dist}
target=${2:-/srv/ledger/static}
[ -f "$build/index.html" ] || { echo "publish-web: no $build/index.html: run make web first" >&2; exit 1; }
mkdir -p "$target"
build=$(cd "$build" && pwd)
target=$(cd "$target" && pwd)
publish() {  # publish FILE (relative to $build): copy next to its target, then rename over it
    mkdir -p "$target/$(dirname "$1")"
    cp "$build/$1" "$target/$1.publish.$$"
    chmod 0644 "$target/$1.publish.$$"
    mv -f "$target/$1.publish.$$" "$target/$1"
}
cd "$build"
find . -type f ! -name index.html | while IFS= read -r file; do publish "$file"; done
find . -type f -name index.html | while IFS= read -r file; do publish "$file"; done
echo "publish-web: $build -> $target"
