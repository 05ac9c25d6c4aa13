# Sourced by the scripts that drive a browser (local/bench/lighthouse.sh,
# local/checks/storefront_looks.sh), after local/env.sh: installs what they need when missing, and
# sets `lighthouse` and `chrome` to the programs' paths.
#   lighthouse: pinned, from npm, in $DROPSHIP_TOOLS/lighthouse
#   chromium: Debian's, /usr/bin/chromium
lighthouse_version=12.2.3
lighthouse_prefix="$DROPSHIP_TOOLS/lighthouse"
lighthouse="$lighthouse_prefix/node_modules/.bin/lighthouse"
if [ "$("$lighthouse" --version 2> /dev/null || true)" != "$lighthouse_version" ]; then
  echo "installing lighthouse@$lighthouse_version into $lighthouse_prefix" >&2
  mkdir -p "$lighthouse_prefix"
  npm install --prefix "$lighthouse_prefix" --no-audit --no-fund --loglevel=error "lighthouse@$lighthouse_version"
fi

chrome=/usr/bin/chromium
if [ ! -x "$chrome" ]; then
  echo "installing Debian's chromium" >&2
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi
