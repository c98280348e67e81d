import "reflect-metadata";

import { AsnConvert } from "@peculiar/asn1-schema";
import { AttributeTypeAndValue, AttributeValue, Name, RelativeDistinguishedName } from "@peculiar/asn1-x509";

import { pkiError } from "../../core/errors.js";
import { MAX_COMMON_NAME_LENGTH } from "../names/common-name.js";

const OID_COMMON_NAME = "2.5.4.3";
const GENERATION = /^(.*)-g([0-9]+)$/;

/**
 * The CN of the CA that replaces one called `commonName`: `pgwarden-ca` -> `pgwarden-ca-g2` ->
 * `pgwarden-ca-g3`. A distinct name, not the old one again, so that verifiers and CRL lookups,
 * which go by issuer name first, never confuse the two while both are trusted.
 */
export function nextGenerationName(commonName: string): string {
  const match = GENERATION.exec(commonName);
  const next = match ? `${match[1] as string}-g${Number(match[2]) + 1}` : `${commonName}-g2`;
  if (next.length > MAX_COMMON_NAME_LENGTH)
    throw pkiError(
      "ca-name-too-long",
      `the CA's CN ${JSON.stringify(commonName)} leaves no room for a generation suffix (at most ${MAX_COMMON_NAME_LENGTH} characters)`,
    );
  return next;
}

function commonNameOf(value: AttributeValue): string | undefined {
  return value.utf8String ?? value.printableString ?? value.ia5String ?? value.bmpString ?? value.universalString;
}

/**
 * The old CA's subject (DER) with its CN advanced a generation ({@link nextGenerationName}) and
 * every other attribute (O, OU, ...) kept as it was. A subject without a CN gets one.
 */
export function nextGenerationSubject(subjectDer: Uint8Array): { name: Buffer; commonName: string } {
  const old = AsnConvert.parse(subjectDer, Name);
  let commonName: string | undefined;
  const rdns = old.map(
    (rdn) =>
      new RelativeDistinguishedName(
        rdn.map((attribute) => {
          const current = attribute.type === OID_COMMON_NAME ? commonNameOf(attribute.value) : undefined;
          if (current === undefined || commonName !== undefined) return attribute;
          commonName = nextGenerationName(current);
          return new AttributeTypeAndValue({
            type: OID_COMMON_NAME,
            value: new AttributeValue({ utf8String: commonName }),
          });
        }),
      ),
  );
  if (commonName === undefined) {
    commonName = nextGenerationName("pgwarden-ca");
    rdns.push(
      new RelativeDistinguishedName([
        new AttributeTypeAndValue({ type: OID_COMMON_NAME, value: new AttributeValue({ utf8String: commonName }) }),
      ]),
    );
  }
  return { name: Buffer.from(AsnConvert.serialize(new Name(rdns))), commonName };
}
