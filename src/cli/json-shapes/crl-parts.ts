import { z } from "zod";

import { isoTime } from "./common.js";

/* Pieces of the CRL documents (`crl write`, `crl status`, `cert revoke`, `ca show`), defined once. */

/** One CRL just written. */
export const writtenCrl = z.strictObject({
  issuer: z
    .string()
    .describe('"ca" for the root, else the intermediate\'s name; `<name>-<key id 16>` for a CA ca rotate replaced'),
  path: z.string().describe("relative to the PKI directory"),
  number: z.number().int().positive(),
  thisUpdate: isoTime,
  nextUpdate: isoTime,
  entries: z.number().int().nonnegative().describe("revoked serials in it"),
});

/** One issuer's CRL as `crl status` and `ca show` report it. */
export const issuerCrlStatus = z.strictObject({
  issuer: z.string().describe("the issuer's name; `<name>-<key id 16>` for a CA ca rotate replaced"),
  kind: z.enum(["root", "intermediate"]),
  rotatedKeyId: z.string().optional().describe("set for a CA ca rotate replaced, trusted until ca retire: its key id"),
  path: z.string().describe("relative to the PKI directory"),
  state: z.enum(["current", "due", "expired", "incomplete", "missing", "unreadable"]),
  number: z.number().int().optional(),
  thisUpdate: isoTime.optional(),
  nextUpdate: isoTime.optional(),
  entries: z.number().int().optional(),
  warnFrom: isoTime
    .optional()
    .describe("when the warning window opens: a third of the CRL's life, at least 2 days, before nextUpdate"),
  revocations: z.number().int().describe("revocations on record for this issuer"),
  problem: z.string().optional().describe("what is wrong and what to do"),
});
