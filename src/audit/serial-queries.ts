import type pg from "pg";

/**
 * The audit's connection as the facts share it: their queries, asked for concurrently, sent one
 * after another. node-postgres queues them too, but warns on stderr (a DeprecationWarning, once
 * per process) as soon as two wait behind a running one, and pg@9 will refuse them; the order
 * and the results are those of its own queue.
 */
export function serialQueries(client: pg.Client): pg.Client {
  let tail: Promise<unknown> = Promise.resolve();
  const query = (...args: unknown[]): Promise<unknown> => {
    const run = tail.then(() => (client.query as (...queryArgs: unknown[]) => Promise<unknown>).apply(client, args));
    tail = run.catch(() => undefined);
    return run;
  };
  return new Proxy(client, {
    get: (target, property) => (property === "query" ? query : (Reflect.get(target, property, target) as unknown)),
  });
}
