#!/usr/bin/env bash
# Install the browser the browser tests drive: Debian's Chromium (+ fonts), as root.
# Playwright drives it through executable_path; `playwright install` (a download) is not used.
set -euo pipefail
if [ "$(id -u)" != "0" ]; then
  echo "scripts/install_browser.sh must run as root (apt-get)." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core fonts-liberation >/dev/null
/usr/bin/chromium --version
