import { createHash } from "node:crypto";

const MD5_PATTERN = /^md5[0-9a-f]{32}$/;

/** PostgreSQL's legacy md5 secret: `md5` + md5(password || role name). The role name is the salt. */
export function md5Secret(password: string, roleName: string): string {
  return `md5${createHash("md5")
    .update(password + roleName, "utf8")
    .digest("hex")}`;
}

export function isMd5Secret(text: string): boolean {
  return MD5_PATTERN.test(text);
}
