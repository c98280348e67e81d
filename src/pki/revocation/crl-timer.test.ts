import assert from "node:assert/strict";
import { test } from "node:test";

import { crlTimerUnits, systemdWord } from "./crl-timer.js";

test("systemd words: plain paths as they are; spaces, quotes, backslashes quoted; % and $ doubled", () => {
  assert.equal(systemdWord("/usr/bin/node"), "/usr/bin/node");
  assert.equal(systemdWord("/srv/my pki"), '"/srv/my pki"');
  assert.equal(systemdWord('/a"b\\c'), '"/a\\"b\\\\c"');
  assert.equal(systemdWord("/pki/100%"), "/pki/100%%");
  assert.equal(systemdWord("/pki/$HOME"), '"/pki/$$HOME"');
});

test("timer units: daily, persistent, randomized; the service writes the CRLs, then the install line to adapt", () => {
  const units = crlTimerUnits({
    node: "/usr/bin/node",
    program: "/opt/pgwarden/bin/pgwarden.js",
    pki: "/srv/my pki",
    days: 7,
    encryptedKey: true,
  });
  assert.match(units.timer, /^OnCalendar=daily$/m);
  assert.match(units.timer, /^Persistent=true$/m);
  assert.match(units.timer, /^RandomizedDelaySec=\S+$/m);
  assert.match(
    units.service,
    /^ExecStart=\/usr\/bin\/node \/opt\/pgwarden\/bin\/pgwarden\.js crl --pki "\/srv\/my pki" --days 7 --passphrase-file \$\{CREDENTIALS_DIRECTORY\}\/ca-passphrase$/m,
  );
  assert.match(units.service, /^LoadCredential=ca-passphrase:/m);
  assert.match(units.service, /^# ADAPT:/m);
  assert.match(units.service, /^ExecStart=.* pg tls --pki "\/srv\/my pki" --pgdata \S+ --reload$/m);
});
