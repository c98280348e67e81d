import { spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";

import type { ClientOutcome } from "./clients.js";

/** One connection attempt of a client loop, labelled with the step it started in. */
export interface Attempt {
  readonly step: string;
  readonly client: string;
  /** Started after the step's commands had all finished (the state the step leaves behind). */
  readonly settled: boolean;
  readonly outcome: ClientOutcome;
}

/** Clients connecting one after another, each in its own loop, every attempt labelled with the step it started in. */
export class ClientLoops {
  readonly attempts: Attempt[] = [];
  private step = "start";
  private settled = false;
  private running = true;
  private readonly loops: Promise<void>[];
  private readonly clients: string[];

  constructor(
    clients: Record<string, () => Promise<ClientOutcome>>,
    private readonly perStep = 3,
  ) {
    this.clients = Object.keys(clients);
    this.loops = Object.entries(clients).map(async ([client, connect]) => {
      while (this.running) {
        const { step, settled } = this;
        this.attempts.push({ step, client, settled, outcome: await connect() });
      }
    });
  }

  /** Runs `commands` as step `step` while the clients keep connecting, then waits for a few attempts of each after it. */
  async run(step: string, commands: () => Promise<void>): Promise<void> {
    this.step = step;
    this.settled = false;
    await commands();
    this.settled = true;
    const enough = () =>
      this.clients.every(
        (client) =>
          this.attempts.filter((item) => item.step === step && item.client === client && item.settled).length >=
          this.perStep,
      );
    while (!enough()) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }
}

/** The certificates a real handshake is served (leaf first), as OpenSSL prints them with -showcerts. */
export function servedChain(port: number): X509Certificate[] {
  const handshake = spawnSync(
    "openssl",
    ["s_client", "-starttls", "postgres", "-connect", `127.0.0.1:${port}`, "-servername", "localhost", "-showcerts"],
    { input: "", encoding: "utf8", timeout: 20_000 },
  );
  const pems = handshake.stdout.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return pems.map((pem) => new X509Certificate(pem));
}
