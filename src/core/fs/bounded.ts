/**
 * Files open at once for one piece of file work. A PKI directory holds tens of thousands of
 * files while `ulimit -n` is often 1024 (or 256): opening them all at once fails with EMFILE.
 * More than this gains nothing either, since libuv's pool runs four file operations at a time.
 */
export const MAX_OPEN_FILES = 64;

/**
 * At most `limit` tasks at once; the others wait their turn, first come first served.
 * Shared by callers that together must stay under a file-descriptor budget.
 */
export class Limiter {
  readonly #limit: number;
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(limit: number = MAX_OPEN_FILES) {
    this.#limit = Math.max(1, limit);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#running++;
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter, so a newcomer cannot take it in between.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}

/** `Promise.all(items.map(task))` with at most `limit` tasks running at once; results in the items' order. */
export async function mapBounded<T, R>(
  items: readonly T[],
  task: (item: T, index: number) => Promise<R>,
  limit: number = MAX_OPEN_FILES,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    for (let index = next++; index < items.length; index = next++)
      results[index] = await task(items[index] as T, index);
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, lane));
  return results;
}
