import { startLocalOrigin } from "./origin";

// Manual use: `npx tsx local/origin-cli.ts` (PORT defaults to 8788; ORIGIN_CHUNK_DELAY_MS tunes streaming pace).
const port = Number(process.env.PORT ?? 8788);
const chunkDelay = process.env.ORIGIN_CHUNK_DELAY_MS;
const origin = await startLocalOrigin({
  port: Number.isInteger(port) && port >= 0 ? port : 8788,
  ...(chunkDelay !== undefined ? { chunkDelayMs: Number(chunkDelay) } : {}),
});
console.log(`local origin (OpenAI-compatible, deterministic, no model) listening on ${origin.url}/v1`);

const stop = () => {
  origin.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
