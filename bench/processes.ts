/**
 * Child processes of the bench (the upstream, the Upstash store and one workerd per Worker): start them, know when they answer, read
 * their CPU time, and make sure none outlives the bench, whatever way it ends.
 */
import { type ChildProcess, execFileSync, fork, spawn } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

/** Children still running; `group` ones were spawned detached and lead their own process group. */
const children = new Map<ChildProcess, { group: boolean }>();

/**
 * Registers a child so that it is killed with the others when the bench ends. Pass `group: true` for a child spawned
 * with `detached: true` whose own children must die too (wrangler runs the policy build and esbuild below it).
 */
export function track(child: ChildProcess, options: { group?: boolean } = {}): void {
  children.set(child, { group: options.group === true });
  child.once("exit", () => children.delete(child));
}

/** Kills every child this bench started (by its pid or its process group id, never by name). Idempotent. */
export function killChildren(): void {
  for (const [child, { group }] of children) {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) continue;
    try {
      if (group) process.kill(-child.pid, "SIGKILL");
      else child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

/** Kills every child and waits (up to 2 s) until each is gone, so none is left as a zombie after we exit. */
export async function stopChildren(): Promise<void> {
  const exits = [...children.keys()].map(
    (child) =>
      new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once("exit", () => resolve()))),
  );
  killChildren();
  await Promise.race([Promise.all(exits), new Promise((resolve) => setTimeout(resolve, 2000))]);
}

/** Ends the bench: children first, then this process. */
export async function exitAfterChildren(code: number): Promise<never> {
  await stopChildren();
  process.exit(code);
}

let hooked = false;
/** Installs exit/signal hooks once, so a Ctrl-C or a crash does not leave workerd running. */
export function killChildrenOnExit(): void {
  if (hooked) return;
  hooked = true;
  process.once("exit", killChildren);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => void exitAfterChildren(130));
  }
}

/** A free loopback port: bind port 0, read it, release it (workerd needs the number up front). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningProcess {
  name: string;
  pid: number;
  /** Where its stdout/stderr go, for error messages. */
  logPath: string;
  stop(): void;
}

export interface UpstreamProcess extends RunningProcess {
  url: string;
}

/** Forks bench/upstream.ts in its own Node process (with tsx's loader) and waits for it to report its URL. */
export async function startUpstreamProcess(logPath: string): Promise<UpstreamProcess> {
  const { pid, message, stop } = await forkTs("upstream", "./upstream.ts", [], logPath, false);
  const url = field(message, "url");
  if (typeof url !== "string") throw new Error(`upstream sent an unexpected message: ${JSON.stringify(message)}`);
  return { name: "upstream", pid, url, logPath, stop };
}

export interface UpstashProcess extends RunningProcess {
  /** The Upstash-REST front (this process is the front, a Node server). */
  url: string;
  token: string;
  /** The redis-server below it: its CPU counts for the Upstash ledger too. */
  redisPid: number;
}

/**
 * Forks bench/upstash.ts (redis-server + Upstash-REST front, data in `dataDir`). It leads its own process group, so
 * killing the group at the end also stops the redis-server it started.
 */
export async function startUpstashProcess(logPath: string, dataDir: string): Promise<UpstashProcess> {
  const { pid, message, stop } = await forkTs("upstash", "./upstash.ts", [dataDir], logPath, true);
  const url = field(message, "url");
  const token = field(message, "token");
  const redisPid = field(message, "redisPid");
  if (typeof url !== "string" || typeof token !== "string" || typeof redisPid !== "number" || redisPid <= 0) {
    throw new Error(`upstash sent an unexpected message: ${JSON.stringify(message)}`);
  }
  return { name: "upstash", pid, url, token, redisPid, logPath, stop };
}

function field(message: unknown, name: string): unknown {
  return typeof message === "object" && message !== null ? (message as Record<string, unknown>)[name] : undefined;
}

/** Forks a bench TypeScript module with tsx's loader and resolves with the first IPC message it sends. */
function forkTs(
  name: string,
  module: string,
  args: string[],
  logPath: string,
  group: boolean,
): Promise<{ pid: number; message: unknown; stop: () => void }> {
  const entry = fileURLToPath(new URL(module, import.meta.url));
  const log = createWriteStream(logPath);
  const child = fork(entry, args, {
    execArgv: ["--import", import.meta.resolve("tsx")],
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    detached: group,
  });
  track(child, { group });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  // The end of its output, for the error if it dies before it is ready (the log file may not be flushed yet).
  let lastOutput = "";
  const keep = (part: Buffer) => {
    lastOutput = (lastOutput + part.toString()).slice(-1000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const stop = () => {
    try {
      if (group && child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      else child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 15 s (log: ${logPath})`)), 15_000);
    // "close", not "exit": by then its output has been read.
    child.once("close", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} (log: ${logPath}): ${lastOutput.trim()}`));
    });
    child.once("message", (message: unknown) => {
      clearTimeout(timer);
      if (child.pid === undefined) reject(new Error(`${name} has no pid`));
      else resolve({ pid: child.pid, message, stop });
    });
  });
}

/**
 * Starts `workerd serve <config>` and resolves once `probeUrl` answers over HTTP (any status). workerd is the binary
 * itself (not a wrapper script), so its pid is the process whose CPU we read.
 */
export async function startWorkerd(
  name: string,
  workerdBin: string,
  configPath: string,
  probeUrl: string,
  logPath: string,
): Promise<RunningProcess> {
  const log = createWriteStream(logPath);
  const child = spawn(workerdBin, ["serve", configPath], { stdio: ["ignore", "pipe", "pipe"] });
  track(child);
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  let exited: string | undefined;
  child.once("exit", (code, signal) => {
    exited = `exited with ${code ?? signal}`;
  });
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (exited) break;
    try {
      await fetch(probeUrl, { signal: AbortSignal.timeout(1000) });
      if (child.pid === undefined) break;
      return { name, pid: child.pid, logPath, stop: () => child.kill("SIGKILL") };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill("SIGKILL");
  throw new Error(`workerd for ${name} ${exited ?? "did not answer in 20 s"}:\n${tail(logPath)}`);
}

export function tail(path: string, lines = 30): string {
  try {
    return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    let parsed = Number.NaN;
    try {
      parsed = Number.parseInt(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim(), 10);
    } catch {
      // No getconf: Linux reports /proc times in USER_HZ, which is 100 on every common architecture.
    }
    clockTicks = Number.isFinite(parsed) && parsed > 0 ? parsed : 100;
  }
  return clockTicks;
}

/** User + system CPU of a process (all its threads), in microseconds, from /proc/<pid>/stat. */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) may contain spaces; the fields after it start after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of the whole line, i.e. 11 and 12 counted from field 3.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1_000_000) / ticksPerSecond();
}
