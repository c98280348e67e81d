import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

import { issuerFiles } from "../../src/pki/authority/issuers.js";
import type { PkiLayout } from "../../src/pki/pki-layout.js";

/**
 * Makes an intermediate CA `name` with openssl, signed by the PKI's root (ca/ca.{key,crt}), at
 * ca/<name>-ca.{key,crt} (key 0600): pathlen 0, keyCertSign + cRLSign, SKI and AKI. For tests of
 * what works with intermediates, independent of pgwarden's own `ca intermediate create`.
 */
export function opensslIntermediate(layout: PkiLayout, name: string, rootPassphrase?: string): void {
  const files = issuerFiles(layout, name);
  const csr = join(layout.caDir, `.${name}.csr`);
  const ext = join(layout.caDir, `.${name}.ext`);
  writeFileSync(
    ext,
    "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n" +
      "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
  );
  execFileSync(
    "openssl",
    ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", files.keyPath],
    { stdio: "pipe" },
  );
  execFileSync("chmod", ["600", files.keyPath]);
  execFileSync("openssl", ["req", "-new", "-key", files.keyPath, "-subj", `/CN=pgwarden ${name} CA`, "-out", csr], {
    stdio: "pipe",
  });
  execFileSync(
    "openssl",
    [
      "x509",
      "-req",
      "-in",
      csr,
      "-CA",
      layout.caCert,
      "-CAkey",
      layout.caKey,
      ...(rootPassphrase === undefined ? [] : ["-passin", `pass:${rootPassphrase}`]),
      "-CAcreateserial",
      "-days",
      "1000",
      "-extfile",
      ext,
      "-out",
      files.certPath,
    ],
    { stdio: "pipe" },
  );
  execFileSync("rm", ["-f", csr, ext, join(layout.caDir, "ca.srl")]);
}
