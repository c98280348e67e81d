import { Command, Option } from "commander";

import { usageError } from "../../../core/errors.js";
import type { IssueOptions } from "../../../pki/issuing/issue.js";
import { issueNamed } from "../../../pki/issuing/issue-named.js";
import { parseProfile } from "../../../pki/issuing/profiles.js";
import { DEFAULT_LEAF_VALIDITY_DAYS } from "../../../pki/issuing/validity.js";
import { parseKeyType } from "../../../pki/keys/key-type.js";
import { contextOf } from "../../context.js";
import {
  allowWildcardOption,
  daysOption,
  forceOption,
  groupOption,
  insecureOption,
  keyTypeOption,
  noCnSanOption,
  passphraseFileOption,
  sanOption,
} from "../../flags.js";
import { describe } from "../../help.js";
import { progressBar } from "../../progress.js";
import { issuedJson, issuedText, issuerOption, loadSigningCa } from "./common.js";

interface Options {
  profile?: string;
  cn?: string;
  cnFile?: string;
  san: string[];
  days?: number;
  keyType?: string;
  group?: string;
  allowWildcard?: boolean;
  cnSan: boolean;
  force?: boolean;
  insecure?: boolean;
  inventory?: string;
  cluster?: string;
  dryRun?: boolean;
  issuer?: string;
}

export function certIssueCommand(): Command {
  const command = new Command("issue")
    // Mandatory except with --inventory, whose plan gives each certificate its profile.
    .addOption(new Option("--profile <profile>", "server, client or peer"))
    .addOption(new Option("--cn <name>", "common name: the host, or for a client certificate the role"))
    .addOption(new Option("--cn-file <file>", "issue one certificate per line of this file").conflicts("cn"))
    .addOption(sanOption())
    .addOption(daysOption(DEFAULT_LEAF_VALIDITY_DAYS))
    .addOption(keyTypeOption())
    .addOption(groupOption())
    .addOption(allowWildcardOption())
    .addOption(noCnSanOption())
    .addOption(forceOption())
    .addOption(issuerOption())
    .addOption(passphraseFileOption())
    .addOption(insecureOption())
    .addOption(
      new Option(
        "--inventory <file>",
        "issue every certificate a Pigsty inventory's fleet needs (PostgreSQL instances, etcd members)",
      ),
    )
    .addOption(new Option("--cluster <name>", "with --inventory: only this pg_cluster (or etcd_cluster)"))
    .addOption(
      new Option("--dry-run", "with --inventory: print what would be issued, re-issued or kept, and write nothing"),
    )
    .action(async (options: Options, cmd: Command) => {
      const ctx = contextOf(cmd);
      if (options.inventory !== undefined) {
        const given = [
          ["--profile", options.profile],
          ["--cn", options.cn],
          ["--cn-file", options.cnFile],
          ["--group", options.group],
          ["--san", options.san.length > 0 ? "yes" : undefined],
          ["--no-cn-san", options.cnSan ? undefined : "yes"],
          ["--allow-wildcard", options.allowWildcard],
        ].filter(([, value]) => value !== undefined);
        if (given.length > 0) {
          const flags = given.map(([flag]) => flag).join(", ");
          throw usageError(
            "fleet-flags",
            `--inventory takes each certificate's profile, CN, SANs and folder from the inventory: drop ${flags}`,
          );
        }
        // Loaded only here: the inventory's YAML reader is no cost to the other modes.
        const { issueFleet } = await import("./issue-fleet.js");
        return issueFleet(ctx, { ...options, inventory: options.inventory });
      }
      if (options.cluster !== undefined || options.dryRun)
        throw usageError("inventory-required", "--cluster and --dry-run go with --inventory FILE");
      if (options.profile === undefined)
        throw usageError("profile-required", "required option '--profile <profile>' not specified");
      if (options.cn === undefined && options.cnFile === undefined)
        throw usageError("cn-required", "give --cn NAME or --cn-file FILE");
      const base: Omit<IssueOptions, "commonName"> = {
        profile: parseProfile(options.profile),
        subjectAltNames: options.san,
        days: options.days,
        keyType: options.keyType === undefined ? undefined : parseKeyType(options.keyType),
        group: options.group,
        allowWildcard: options.allowWildcard ?? false,
        cnAsSan: options.cnSan,
        force: options.force ?? false,
      };
      const { issued, skipped, warnings } = await issueNamed(
        ctx.layout,
        options.cn !== undefined ? { ...base, commonName: options.cn } : { ...base, cnFile: options.cnFile as string },
        {
          signingCa: () => loadSigningCa(ctx, options.insecure, { profile: base.profile.name, issuer: options.issuer }),
          now: ctx.now,
          ...(options.cn === undefined ? { onProgress: progressBar(ctx.output, "issuing") } : {}),
        },
      );
      warnings.forEach((warning) => ctx.output.warn(warning));
      if (ctx.output.format === "json")
        ctx.output.json({ issued: issued.map(issuedJson), skipped: skipped.map(issuedJson) });
      else if (options.cn !== undefined) ctx.output.data(issued.map(issuedText).join("\n"));
      else if (issued.length > 0)
        ctx.output.data(issued.map((result) => `${result.record.serial}  ${result.certPath}`).join("\n"));
      if (options.cn !== undefined) return;
      const skippedNote =
        skipped.length > 0
          ? `, skipped ${skipped.length} already issued (key and certificate present, matching and recorded)`
          : "";
      ctx.output.info(`pgwarden: issued ${issued.length} ${base.profile.name} certificates${skippedNote}`);
    });
  return describe(command, {
    description: `Make a new key and certificate signed by the CA, at <pki>/<group>/<cn>.{key,crt}.
Profiles: server (TLS server; SANs are its names and addresses, and its CN: libpq ignores the CN
once a SAN of the host's type is there, Go always, so host=<cn> would fail verify-full; --no-cn-san
leaves it out, for a CN that is a label rather than a name clients dial), client (cert authentication; the CN is the
PostgreSQL role and never becomes a SAN), peer (server and client, for etcd and Patroni; CN as for server). The key is 0600 from birth. --cn-file issues one certificate per line of a file;
run again after it was interrupted, it skips the names already issued and intact (key and
certificate present, matching and recorded) and issues the rest. --force replaces existing
pairs; a replacement cut short is finished by the next pgwarden command, so a key and its
certificate are always both old or both new. With --format json, --cn and --cn-file both print
{"issued": [...], "skipped": [...], "warnings": [...]} (schemas/cert-issue.schema.json).
Issuer: with intermediates (ca intermediate create, ca init --intermediates) a leaf is signed by the one
named as its profile (server, client; peer: peer, else server), and <cn>.fullchain.crt (the leaf, then
the intermediate) is written beside <cn>.crt, which stays the leaf alone; the three files land together.
Without such an intermediate the root signs, as before, and no chain file is written. --issuer NAME picks
the CA (ca = the root; an unknown name is exit 4 with the list). A leaf never outlives its issuer (notAfter
cut back, with a warning); an expired issuer refuses to sign (exit 7).
--inventory pigsty.yml issues a whole fleet in Pigsty's files/pki layout: per PostgreSQL instance a
server certificate pgsql/<cluster>-<seq>.crt (CN <cluster>-<seq>; SANs the instance and cluster
names, the VIP when pg_vip_enabled, the nodename when set, the host's address, localhost,
127.0.0.1) for the cluster's one key pgsql/<cluster>.key, which PostgreSQL, pgbouncer and Patroni
present; per etcd member (etcd_seq) a peer pair etcd/<etcd_cluster>-<seq>.{key,crt}. The host's address is
the inventory key when it is an IP address, as Pigsty keys hosts (its ansible_host, an SSH alias there, is not named);
a host keyed by name (db1: {ansible_host: 192.168.1.5}) gets that name and its ansible_host, an IP or a DNS SAN. It issues only
what is missing or differs (other names, another CA, a wrong key, under 30 days left); a second run
writes nothing. A replaced certificate is kept as .bak; one pgwarden did not make (another CA, or
no record of it; after a CA rotation, one signed by the old CA of the same name) is refused unless --force (exit 2, as
pg tls). An existing cluster or etcd key that group or others can read, or another user's, is refused (exit 7): chmod 600
it, or move it away to have a new one made. A symbolic link at a cluster key's path is never followed: refused (exit 2)
unless --force, which replaces the link itself with a new key (the link kept as .bak). --dry-run prints the plan and writes nothing. With
--format json: {"dryRun", "certificates": [{"action": "keep"|"issue"|"reissue", ...}], "clusterKeys", "warnings"}
(also in schemas/cert-issue.schema.json).`,
    examples: [
      "pgwarden cert issue --profile server --cn pg-meta-1 --san pg-meta-1.example.com --san 10.10.10.10",
      "pgwarden cert issue --profile client --cn dbuser_dba",
      "pgwarden cert issue --profile client --cn dbuser_dba --issuer ca   # signed by the root, not the client intermediate",
      "pgwarden cert issue --profile peer --cn etcd-1 --san 10.10.10.11 --days 730",
      "pgwarden cert issue --profile client --cn-file users.txt --format json",
      "pgwarden cert issue --profile client --cn-file users.txt   # again after an interruption: issues only what is missing",
      "pgwarden cert issue --profile server --cn db1.example.com --san 10.0.0.11   # names db1.example.com and 10.0.0.11",
      "pgwarden cert issue --inventory pigsty.yml --dry-run",
      "pgwarden --pki files/pki cert issue --inventory pigsty.yml --cluster pg-test",
      "pgwarden cert issue --inventory pigsty.yml --force   # replace certificates of another CA (the old kept as .bak)",
    ],
    exitNotes: [
      "2   --inventory: a certificate pgwarden did not make would be replaced, or a cluster key's path is a symbolic link: pass --force",
      "7   --inventory: an existing cluster or etcd key is readable by group or others, or another user's: chmod 600 it",
    ],
  });
}
