import { instanceVars, type Inventory } from "../../config/inventory.js";
import { inventoryMemberships } from "../inventory-superusers.js";
import type { Connection, ServerContext } from "../match.js";
import type { HbaFile } from "../model.js";
import type { RenderedHba } from "../render/index.js";
import { askedConnection, type ConnectionAsk } from "./asked-connection.js";
import { type ConnectionExplanation, explainConnection } from "./explain-connection.js";
import { loadErrorsWarning } from "./load-errors-warning.js";
import { type MembershipOrigin, membershipsOf } from "./memberships.js";
import type { ServerFactsForRole } from "./server-facts.js";

/** The rules to explain against, and what their source knows besides them (an HbaSource is one). */
export interface ExplainedSource {
  readonly file: HbaFile;
  /** From a running server: its version and address, and the role's memberships and login facts. */
  readonly roleFacts?: ServerFactsForRole;
  /** From an inventory: the inventory, and the cluster and instance its rules were rendered for. */
  readonly inventory?: Inventory;
  readonly rendered?: Pick<RenderedHba, "cluster" | "instance">;
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
  const { inventory, rendered } = source;
  const { memberOf, origin } = membershipsOf({
    ...(request.memberOf !== undefined ? { given: request.memberOf } : {}),
    ...(facts ? { server: facts.memberOf } : {}),
    // The roles the inventory declares for the instance (or cluster) its rules were rendered for.
    ...(inventory && rendered
      ? {
          inventory: () =>
            inventoryMemberships(instanceVars(inventory, rendered.cluster, rendered.instance?.host))(asked.user),
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
