import type { KeyObject } from "node:crypto";
import { createPublicKey } from "node:crypto";

import { signCertificate, subjectKeyIdExtensionDer, validityDer } from "../encoding/certificate-der.js";
import {
  authorityKeyIdExtension,
  basicConstraintsExtension,
  encodeExtension,
  encodeSignatureAlgorithm,
  keyUsageExtension,
} from "../encoding/certificate-extensions.js";
import { signatureAlgorithmFor } from "../keys/key-type.js";

/** What a self-signed root certificate is made of. */
export interface RootCertificateSpec {
  readonly key: KeyObject;
  /** The subject Name's DER, which is also the issuer. */
  readonly name: Uint8Array;
  readonly keyId: Uint8Array;
  readonly serial: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly pathLength: number;
}

/**
 * A self-signed root: basicConstraints CA with `pathLength`, keyUsage digitalSignature,
 * keyCertSign and cRLSign, SKI and AKI of its own key, in the order leaves carry them.
 */
export function rootCertificateDer(spec: RootCertificateSpec): Buffer {
  const algorithm = signatureAlgorithmFor(spec.key);
  const extensions = [
    encodeExtension(basicConstraintsExtension(true, spec.pathLength)),
    encodeExtension(keyUsageExtension(["digitalSignature", "keyCertSign", "cRLSign"])),
    subjectKeyIdExtensionDer(spec.keyId),
    encodeExtension(authorityKeyIdExtension(spec.keyId)),
  ];
  return signCertificate(
    {
      serial: spec.serial,
      signatureAlgorithm: encodeSignatureAlgorithm(algorithm),
      issuer: Buffer.from(spec.name),
      validity: validityDer(spec.notBefore, spec.notAfter),
      subject: Buffer.from(spec.name),
      subjectPublicKeyInfo: createPublicKey(spec.key).export({ type: "spki", format: "der" }),
      extensions,
    },
    algorithm,
    spec.key,
  );
}
