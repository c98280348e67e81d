#!/usr/bin/env bash
# Puts the `pgwarden` command on PATH: a symbolic link to this checkout's bin/pgwarden.js in npm's global
# bin directory ($(npm prefix -g)/bin, where `npm install -g` and `npm link` put commands), or in
# PGWARDEN_BIN_DIR when set. Says on stderr where the link is. Running it again changes nothing; a link
# there to another checkout's pgwarden is replaced, anything else there is left alone (exit 1).
# As root it writes the directory itself; otherwise through sudo when the directory is not the user's.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd -P)"
target="$repo/bin/pgwarden.js"
bindir="${PGWARDEN_BIN_DIR:-$(npm prefix -g)/bin}"
link="$bindir/pgwarden"

if [ -L "$link" ] && [ "$(readlink "$link")" = "$target" ]; then
  echo "setup: pgwarden is already linked: $link -> $target" >&2
else
  if [ -e "$link" ] || [ -L "$link" ]; then
    # Only a link to some pgwarden.js (another checkout, `npm link`, `npm install -g`) is ours to replace.
    if [ ! -L "$link" ] || [ "$(basename "$(readlink "$link")")" != "pgwarden.js" ]; then
      echo "setup: $link exists and is not a link to pgwarden: move it away, or set PGWARDEN_BIN_DIR to another directory on PATH" >&2
      exit 1
    fi
    echo "setup: replacing $link -> $(readlink "$link")" >&2
  fi
  SUDO=""
  probe="$bindir"
  while [ ! -d "$probe" ]; do probe="$(dirname "$probe")"; done
  if [ ! -w "$probe" ] && [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "setup: cannot write $bindir and sudo is missing: set PGWARDEN_BIN_DIR to a directory of yours on PATH (e.g. ~/.local/bin)" >&2
      exit 1
    fi
    SUDO="sudo"
  fi
  $SUDO mkdir -p "$bindir"
  # A new link renamed over the old one: the command is never missing, even for a moment.
  $SUDO ln -sfn "$target" "$link.setup-$$"
  $SUDO mv -Tf "$link.setup-$$" "$link"
  echo "setup: linked $link -> $target" >&2
fi

found="$(command -v pgwarden || true)"
if [ "$found" = "$link" ]; then
  echo "setup: run pgwarden from any directory (pgwarden --help)" >&2
elif [ -z "$found" ]; then
  echo "setup: $bindir is not on PATH: add it (export PATH=\"$bindir:\$PATH\"), or run node $target" >&2
else
  echo "setup: $found comes first on PATH and is not this link: remove it, or put $bindir before it on PATH" >&2
fi
