#!/usr/bin/env node
// Size the libuv pool before any file I/O starts: issuing a fleet of certificates
// fsyncs many files at once, and those calls run on this pool.
process.env.UV_THREADPOOL_SIZE ??= "16";
const { main } = await import("../dist/src/cli/main.js");
process.exitCode = await main(process.argv);
