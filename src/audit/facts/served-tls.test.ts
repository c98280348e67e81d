import assert from "node:assert/strict";
import { test } from "node:test";

import { type ServerSource } from "../fact.js";
import { servedTlsFact } from "./served-tls.js";

test("over a Unix socket the served TLS cannot be read: the checks that need it are said not to run, not skipped", async () => {
  const source = {
    kind: "server",
    connection: { socket: true, host: "/run/postgresql", port: 5432 },
  } as unknown as ServerSource;
  await assert.rejects(servedTlsFact.collect(source), (error: unknown) => {
    const { unavailability } = error as { unavailability: { kind: string; reason: string } };
    assert.equal(unavailability.kind, "failed");
    assert.match(unavailability.reason, /Unix socket: audit over TCP \(--conn host=ADDRESS\)/);
    return true;
  });
});
