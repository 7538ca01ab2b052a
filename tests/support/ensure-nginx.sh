#!/usr/bin/env bash
# The cluster test puts Debian's nginx in front of two server processes; install it on a fresh
# machine when we may. The test runs nginx itself (as a child process, on a free port), so the
# package's own service must not start: a policy-rc.d that refuses is in place during the install.
set -euo pipefail
if [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's nginx for the cluster test…"
  export DEBIAN_FRONTEND=noninteractive
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# Added by ensure-nginx.sh while nginx is installed: start no service.\nexit 101\n' >"$policy"
    chmod +x "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends nginx >/dev/null
  exit 0
fi
msg="The cluster test needs nginx: run 'sudo apt-get install nginx' and try again."
if [ -n "${CI:-}" ]; then
  echo "$msg" >&2
  exit 1
fi
echo "$msg (Without it the cluster test is skipped.)" >&2
