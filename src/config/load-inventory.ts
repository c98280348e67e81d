import { type Document, LineCounter, parseDocument, type Tags } from "yaml";
import type { z } from "zod";

import { ExitCode, PgwardenError, type Problem } from "../core/errors.js";
import { readInputFile } from "../core/fs/read-input.js";
import { type SourceLocation } from "../core/source-location.js";
import { hostVars, type Inventory, type InventoryGroup } from "./inventory.js";
import { problemAt, problemsError } from "./problem-list.js";
import { type InventoryVars, inventoryVarsSchema, LOCATED_KEYS } from "./schema.js";
import { locatedSource } from "./source-detail.js";
import { formatPath, lineOf, positionOf, type YamlPath } from "./yaml-location.js";

/**
 * Reads and validates a Pigsty inventory file (pigsty.yml); errors are `file:line: path: message`, exit 3.
 * A missing inventory is exit 4 and a directory exit 2, as for every file pgwarden is given.
 */
export async function loadInventory(path: string): Promise<Inventory> {
  return parseInventory(await readInputFile(path, "inventory", "inventory-not-found"), path);
}

function configError(message: string): PgwardenError {
  return new PgwardenError("invalid-inventory", message, ExitCode.config);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `${typeof value} ${JSON.stringify(value)}`;
}

/**
 * What kind of value, never the value: where the structure is wrong the file may be anything (a .pgpass or
 * /etc/passwd given as --inventory is one YAML string), and the message must not print its content.
 */
function describeKind(value: unknown): string {
  if (value === null || value === undefined || typeof value === "object") return describeValue(value);
  return `a ${typeof value}`;
}

/** An inventory host: an address or a name, one token. */
const HOST_NAME = /^[^\s#,"\u0000-\u001f\u007f]+$/;

const EXPECTED: Readonly<Record<string, string>> = { object: "a mapping", array: "a list", int: "an integer" };

/** One zod issue in the inventory's words. */
function describeIssue(issue: z.core.$ZodIssue): string {
  // A password in the wrong form is still a password: say what kind of value it is, never the value.
  const secret = issue.path.some((part) => typeof part === "string" && /password/i.test(part));
  const got = `got ${secret ? describeKind(issue.input) : describeValue(issue.input)}`;
  if (issue.code === "invalid_type") return `expected ${EXPECTED[issue.expected] ?? `a ${issue.expected}`}, ${got}`;
  if (issue.code === "too_small" && issue.origin === "number")
    return `must be at least ${String(issue.minimum)}, ${got}`;
  // A union's own message (pg_seq, pg_offline_query) says what was expected; zod's default does not.
  if (issue.code === "invalid_union")
    return issue.message === "Invalid input" ? `invalid value, ${got}` : `${issue.message}, ${got}`;
  return issue.message;
}

type MutableGroup = { -readonly [K in keyof InventoryGroup]: InventoryGroup[K] } & {
  hosts: string[];
  children: string[];
};

/** Reads one YAML document into groups, hosts and validated vars, collecting every problem. */
class InventoryReader {
  readonly problems: Problem[] = [];
  readonly warnings: string[] = [];
  readonly groups = new Map<string, MutableGroup>();
  readonly hostVars = new Map<string, InventoryVars>();
  /** Where each host is first listed, for messages about the host as a whole. */
  readonly hostPaths = new Map<string, YamlPath>();
  globalVars: InventoryVars = {};
  /** Where each key of all.vars is written. */
  globalVarSources: ReadonlyMap<string, SourceLocation> = new Map();

  constructor(
    private readonly document: Document,
    private readonly lineCounter: LineCounter,
    private readonly file: string,
  ) {}

  line(path: YamlPath): number {
    return lineOf(this.document, this.lineCounter, path);
  }

  problem(path: YamlPath, message: string): void {
    this.problems.push(problemAt(this.source(path), path.length > 0 ? `${formatPath(path)}: ${message}` : message));
  }

  warn(path: YamlPath, message: string): void {
    this.warnings.push(`${this.file}:${this.line(path)}: ${formatPath(path)}: ${message}`);
  }

  source(path: YamlPath): SourceLocation {
    const { line, column } = positionOf(this.document, this.lineCounter, path);
    return locatedSource(this.file, line, { column, path: formatPath(path) });
  }

  /** A role entry's password has its own line (`password:` under `- name: app`): problems with it point there. */
  passwordSource(entry: object, path: YamlPath): { passwordSource?: SourceLocation } {
    return isRecord(entry) && entry.password !== undefined && entry.password !== null
      ? { passwordSource: this.source([...path, "password"]) }
      : {};
  }

  /** Where each key of a vars block is written, so a value can be traced to its line. */
  keySources(value: unknown, path: YamlPath): Map<string, SourceLocation> {
    return new Map(isRecord(value) ? Object.keys(value).map((key) => [key, this.source([...path, key])] as const) : []);
  }

  /** Validates a vars block; rule objects get the place they were written. */
  vars(value: unknown, path: YamlPath): InventoryVars {
    if (value === null || value === undefined) return {};
    if (!isRecord(value)) {
      this.problem(path, `expected a mapping of variables, got ${describeKind(value)}`);
      return {};
    }
    const parsed = inventoryVarsSchema.safeParse(value, { reportInput: true });
    if (!parsed.success) {
      const seen = new Set<string>();
      for (const issue of parsed.error.issues) {
        const where = [...path, ...(issue.path as (string | number)[])];
        // One problem per key: an empty name fails both "non-empty" and "one token".
        if (seen.has(formatPath(where))) continue;
        seen.add(formatPath(where));
        this.problem(where, describeIssue(issue));
      }
      return {};
    }
    const vars: Record<string, unknown> = { ...parsed.data };
    for (const key of LOCATED_KEYS) {
      const value: unknown = parsed.data[key];
      if (Array.isArray(value)) {
        vars[key] = value.map((entry: object, index) => {
          const at = [...path, key, index];
          return { ...entry, source: this.source(at), ...this.passwordSource(entry, at) };
        });
      } else if (isRecord(value)) vars[key] = { ...value, source: this.source([...path, key]) };
    }
    return vars;
  }

  hosts(value: unknown, path: YamlPath, group?: MutableGroup): void {
    if (value === null || value === undefined) return;
    if (!isRecord(value)) return this.problem(path, `expected a mapping of hosts, got ${describeKind(value)}`);
    for (const [host, vars] of Object.entries(value)) {
      if (!HOST_NAME.test(host))
        this.problem([...path, host], `host ${JSON.stringify(host)} is not an address or a host name`);
      const parsed = this.vars(vars, [...path, host]);
      if (!this.hostPaths.has(host)) this.hostPaths.set(host, [...path, host]);
      // A host listed in several groups: Ansible merges its vars, a later listing winning per key.
      this.hostVars.set(host, { ...(this.hostVars.get(host) ?? {}), ...parsed });
      if (group && !group.hosts.includes(host)) group.hosts.push(host);
    }
  }

  group(name: string, value: unknown, path: YamlPath, depth: number): void {
    let group = this.groups.get(name);
    if (!group) {
      group = { name, vars: {}, hosts: [], children: [], depth, source: this.source(path), varSources: new Map() };
      this.groups.set(name, group);
    }
    group.depth = Math.max(group.depth, depth);
    if (value === null || value === undefined) return;
    if (!isRecord(value))
      return this.problem(path, `expected a group (a mapping of hosts, vars and children), got ${describeKind(value)}`);
    for (const [key, entry] of Object.entries(value)) {
      if (key === "hosts") this.hosts(entry, [...path, key], group);
      else if (key === "vars") {
        group.vars = { ...group.vars, ...this.vars(entry, [...path, key]) };
        group.varSources = new Map([...(group.varSources ?? []), ...this.keySources(entry, [...path, key])]);
      } else if (key === "children") this.children(entry, [...path, key], depth + 1, group);
      else this.warn([...path, key], `not read: a group holds only hosts, vars and children`);
    }
  }

  children(value: unknown, path: YamlPath, depth: number, parent?: MutableGroup): void {
    if (value === null || value === undefined) return;
    if (!isRecord(value)) return this.problem(path, `expected a mapping of groups, got ${describeKind(value)}`);
    for (const [name, group] of Object.entries(value)) {
      if (parent && !parent.children.includes(name)) parent.children.push(name);
      this.group(name, group, [...path, name], depth);
    }
  }

  /** `all:` with vars, hosts and children; other top-level keys are groups, as Ansible reads them. */
  root(value: unknown): void {
    if (value === null || value === undefined)
      return this.problem([], "the inventory is empty: a Pigsty inventory starts with all:");
    if (!isRecord(value))
      return this.problem([], `expected a mapping with all: at the top, got ${describeKind(value)}`);
    for (const [key, entry] of Object.entries(value)) {
      if (key !== "all") {
        this.group(key, entry, [key], 1);
        continue;
      }
      if (entry === null || entry === undefined) continue;
      if (!isRecord(entry)) {
        this.problem(["all"], `expected a mapping of vars, hosts and children, got ${describeKind(entry)}`);
        continue;
      }
      for (const [section, content] of Object.entries(entry)) {
        if (section === "vars") {
          this.globalVars = this.vars(content, ["all", "vars"]);
          this.globalVarSources = this.keySources(content, ["all", "vars"]);
        } else if (section === "hosts") this.hosts(content, ["all", "hosts"]);
        else if (section === "children") this.children(content, ["all", "children"], 1);
        else this.warn(["all", section], "not read: all holds only vars, hosts and children");
      }
    }
  }

  /** Every PostgreSQL instance needs pg_role and pg_seq, as Pigsty's pg_id does. */
  checkInstances(inventory: Inventory): void {
    for (const host of inventory.hostVars.keys()) {
      const vars = hostVars(inventory, host);
      if (vars.pg_cluster === undefined) continue;
      const path = this.hostPaths.get(host) ?? ["all"];
      if (vars.pg_role === undefined) this.problem(path, `instance of cluster ${vars.pg_cluster} has no pg_role`);
      if (vars.pg_seq === undefined) this.problem(path, `instance of cluster ${vars.pg_cluster} has no pg_seq`);
    }
  }
}

/** The YAML parser's words without the text it quotes after a colon (an alias, a tag: the file's own content). */
const withoutQuote = (message: string): string => (message.split("\n")[0] ?? "").replace(/:\s.*$/, "");

const withoutTimestamps = (tags: Tags): Tags =>
  tags.filter((tag) => typeof tag === "string" || tag.tag !== "tag:yaml.org,2002:timestamp");

/**
 * Parses a Pigsty inventory: Ansible's YAML inventory (`all.vars`, `all.children.<group>.vars`
 * and `.hosts.<ip>`), read as YAML 1.1 like Ansible does (`yes`/`on`/`off` are booleans, `<<`
 * merges). The keys pgwarden uses are validated where they are written; every problem is
 * thrown in one error (exit 3, its `problems` listed in file order): one problem as
 * `file:line: path.to.key: message`, several summed up as `N inventory problems in file`.
 */
export function parseInventory(text: string, file: string): Inventory {
  const lineCounter = new LineCounter();
  // No timestamp tag: YAML 1.1 would read 2031-02-30 as 2031-03-02. Dates stay text and are checked as dates.
  const document = parseDocument(text, {
    lineCounter,
    version: "1.1",
    merge: true,
    uniqueKeys: false,
    prettyErrors: false,
    customTags: withoutTimestamps,
  });
  const syntax = document.errors[0];
  if (syntax)
    throw configError(`${file}:${lineCounter.linePos(syntax.pos[0]).line}: ${withoutQuote(syntax.message)} (YAML)`);
  let root: unknown;
  try {
    root = document.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    throw configError(`${file}:1: ${withoutQuote((error as Error).message)} (YAML)`);
  }
  const reader = new InventoryReader(document, lineCounter, file);
  reader.root(root);
  const hostSources = new Map([...reader.hostPaths].map(([host, path]) => [host, reader.source(path)] as const));
  const inventory: Inventory = {
    file,
    vars: reader.globalVars,
    groups: reader.groups,
    hostVars: reader.hostVars,
    warnings: reader.warnings,
    varSources: reader.globalVarSources,
    hostSources,
  };
  if (reader.problems.length === 0) reader.checkInstances(inventory);
  if (reader.problems.length > 0)
    throw problemsError("invalid-inventory", reader.problems, ExitCode.config, { many: "inventory problems" });
  return inventory;
}
