import { FileExistsError, PRIVATE_FILE_MODE, writeFileAtomic } from "../core/fs/atomic-write.js";
import { generatePassword } from "../roles/generate-password.js";

/** The sandbox's cluster in the quickstart inventory. */
export const SANDBOX_CLUSTER = "pg-sandbox";
/** The sample application user: a password over TLS, member of dbrole_readwrite. */
export const SAMPLE_APP_USER = "dbuser_app";
const INVENTORY_FILE_NAME = "pgwarden.yml";
/** Beside the inventory, which names it (`password: {file: ...}`) instead of holding it. */
const APP_PASSWORD_FILE_NAME = `${SAMPLE_APP_USER}.password`;

/**
 * The quickstart's inventory, in Pigsty's format: one cluster (the sandbox on 127.0.0.1), its
 * access rules (the OS superuser over the socket, the application user's password over TLS,
 * client certificates for everyone else over TLS, nothing else), Pigsty's role model with the
 * system users' passwords left unset (they log in with certificates), and one application user
 * whose password lives in a file of its own.
 */
function sandboxInventoryText(superuser: string): string {
  return `# pgwarden quickstart: the sandbox as an inventory, in Pigsty's format.
# Edit it and run pgwarden quickstart again: the rules and roles follow.
all:
  children:
    ${SANDBOX_CLUSTER}:
      hosts:
        127.0.0.1: { pg_seq: 1, pg_role: primary }
      vars:
        pg_cluster: ${SANDBOX_CLUSTER}
        pg_dbsu: ${superuser}
        # The system users log in with client certificates: no password to leak or guess.
        pg_admin_password: ''
        pg_monitor_password: ''
        pg_replication_password: ''
        pg_default_hba_rules:
          - { user: '\${dbsu}', db: all, addr: local, auth: peer, title: 'the OS superuser over the socket', order: 100 }
          - { user: all, db: all, addr: 127.0.0.1/32, auth: cert, title: 'client certificates over TLS (IPv4 loopback)', order: 200 }
          - { user: all, db: all, addr: '::1/128', auth: cert, title: 'client certificates over TLS (IPv6 loopback)', order: 210 }
        pg_hba_rules:
          - { user: ${SAMPLE_APP_USER}, db: all, addr: 127.0.0.1/32, auth: ssl, title: 'the application user: its password, over TLS only', order: 150 }
        pg_users:
          - { name: ${SAMPLE_APP_USER}, password: { file: ${APP_PASSWORD_FILE_NAME} }, roles: [dbrole_readwrite], comment: 'sample application user' }
`;
}

/** Where quickstart keeps its inventory in `dir`. */
export function sandboxInventoryPath(dir: string): string {
  return `${dir}/${INVENTORY_FILE_NAME}`;
}

export interface SandboxInventory {
  readonly path: string;
  readonly action: "written" | "kept";
  readonly passwordFile: string;
}

/**
 * Writes the inventory and a generated password for the application user (0600) unless they
 * exist: a person's edits to either survive the next run.
 */
export async function ensureSandboxInventory(dir: string, superuser: string): Promise<SandboxInventory> {
  const path = sandboxInventoryPath(dir);
  const passwordFile = `${dir}/${APP_PASSWORD_FILE_NAME}`;
  const keep = (error: unknown) => {
    if (!(error instanceof FileExistsError)) throw error;
    return false;
  };
  await writeFileAtomic(passwordFile, `${generatePassword({ roleName: SAMPLE_APP_USER })}\n`, {
    mode: PRIVATE_FILE_MODE,
    exclusive: true,
  }).catch(keep);
  const written = await writeFileAtomic(path, sandboxInventoryText(superuser), {
    mode: PRIVATE_FILE_MODE,
    exclusive: true,
  }).then(() => true, keep);
  return { path, action: written ? "written" : "kept", passwordFile };
}
