import { instanceVars, type Inventory } from "../../config/inventory.js";
import { inventoryMemberships } from "../inventory-superusers.js";
import type { Connection, ServerContext } from "../match.js";
import type { HbaFile } from "../model.js";
import { askedConnection, type ConnectionAsk } from "./asked-connection.js";
import { type ConnectionExplanation, explainConnection } from "./explain-connection.js";
import { loadErrorsWarning } from "./load-errors-warning.js";
import { type MembershipOrigin, membershipsOf } from "./memberships.js";
import type { ServerFactsForRole } from "./server-facts.js";

/** The rules to explain against, and what their source knows besides them. */
export interface ExplainedSource {
  readonly file: HbaFile;
  /** From a running server: its version and address, and the role's memberships and login facts. */
  readonly roleFacts?: ServerFactsForRole;
  /** From an inventory: the inventory, its cluster and the instance rendered (for the roles it declares). */
  readonly inventoryInstance?: { readonly inventory: Inventory; readonly cluster: string; readonly host?: string };
}

/** One connection to explain, as a person describes it. */
export interface ExplainRequest extends ConnectionAsk {
  /** Roles the user is a member of, a complete list (`[]`: none); undefined to take them from the source. */
  readonly memberOf?: readonly string[];
  /** The PostgreSQL major version the rules are read for (overrides the server's). */
  readonly majorVersion?: number;
}

export interface ExplainResult {
  /** The connection explained, memberships included when known. */
  readonly connection: Connection;
  readonly membershipsFrom: MembershipOrigin;
  readonly explanation: ConnectionExplanation;
  /** Things to tell the person (a file PostgreSQL would refuse to load). */
  readonly warnings: readonly string[];
}

/** Reads the rules for a connection (a file, a server asked about this role and database, or an inventory). */
export type ExplainedSourceLoader<S extends ExplainedSource> = (asked: Omit<Connection, "memberOf">) => Promise<S>;

/**
 * `hba explain` for one connection: the connection the request describes (exit 2 when it cannot be
 * one, before any source is read), the rules `load` reads for it, its memberships by precedence
 * ({@link membershipsOf}), and the verdict of the rules with what the server (if any) checks after the line.
 */
export async function explainRules<S extends ExplainedSource>(
  request: ExplainRequest,
  load: ExplainedSourceLoader<S>,
): Promise<ExplainResult & { readonly source: S }> {
  const asked = askedConnection(request);
  const source = await load(asked);
  const facts = source.roleFacts;
  const fromInventory = source.inventoryInstance;
  const { memberOf, origin } = membershipsOf({
    ...(request.memberOf !== undefined ? { given: request.memberOf } : {}),
    ...(facts ? { server: facts.memberOf } : {}),
    ...(fromInventory
      ? {
          inventory: () =>
            inventoryMemberships(instanceVars(fromInventory.inventory, fromInventory.cluster, fromInventory.host))(
              asked.user,
            ),
        }
      : {}),
  });
  const connection: Connection = memberOf === undefined ? asked : { ...asked, memberOf };
  const server: ServerContext = {
    ...facts?.server,
    ...(request.majorVersion !== undefined ? { majorVersion: request.majorVersion } : {}),
  };
  const known = { ...(facts ? { roleExists: facts.roleExists } : {}), ...(facts?.login ? { login: facts.login } : {}) };
  const explanation = explainConnection(source.file.rules, connection, { server, ...known });
  const warning = loadErrorsWarning(source.file);
  return { source, connection, membershipsFrom: origin, explanation, warnings: warning ? [warning] : [] };
}
