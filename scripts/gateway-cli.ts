/**
 * Admin CLI: `npm run gateway -- <command>` (see `--help`). A thin client of the admin API (/admin/*): reads
 * GATEWAY_URL (default http://127.0.0.1:8787) and GATEWAY_ADMIN_SECRET, or --url / --admin-secret.
 */
import { run } from "./cli/main";

run(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
