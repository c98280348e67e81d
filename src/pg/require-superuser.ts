import type pg from "pg";

import { ExitCode, PgwardenError } from "../core/errors.js";

/** Fails with a privilege error (exit 6) saying `why` unless the session's role is a superuser. */
export async function requireSuperuser(client: pg.Client, why: string): Promise<void> {
  const who = await client.query<{ rolsuper: boolean; user: string }>(
    "SELECT rolsuper, current_user AS user FROM pg_catalog.pg_roles WHERE rolname = current_user",
  );
  const row = who.rows[0];
  if (!row?.rolsuper)
    throw new PgwardenError(
      "not-superuser",
      `${row?.user ?? "this role"} is not a superuser: ${why} (connect as postgres or another superuser)`,
      ExitCode.privilege,
    );
}
