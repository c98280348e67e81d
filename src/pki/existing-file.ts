import { X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";

/** A file's text; undefined when there is none, and empty (so unreadable as PEM) when it cannot be read. */
export async function readExisting(path: string): Promise<string | undefined> {
  return readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => (error.code === "ENOENT" ? undefined : ""));
}

/** The certificate in `pem`, or undefined when it is none Node can read. */
export function parseCertificateOrNone(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}
