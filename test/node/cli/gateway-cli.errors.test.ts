import { describe, expect, it } from "vitest";
import { recorders, runCli, SECRET } from "./recorder";

const gateways = recorders();
const gateway = gateways.start;
const env = gateways.env;

describe.concurrent("gateway CLI: errors", () => {
  it("prints the gateway's error code and message and exits 1", async () => {
    const gw = await gateway(() => ({
      status: 404,
      body: {
        type: "error",
        error: { message: 'No API key with id "nope".', type: "not_found_error", code: "not_found", param: "id" },
        request_id: "req_abc",
      },
    }));
    const res = await runCli(["keys", "show", "nope"], env(gw));
    expect(res.code).toBe(1);
    expect(res.stdout).toBe("");
    expect(res.stderr).toContain('error: not_found: No API key with id "nope".');
    expect(res.stderr).toContain("param: id");
    expect(res.stderr).toContain("request id: req_abc");
  });

  it("a 401 names the problem without echoing the secret", async () => {
    const gw = await gateway(() => ({
      status: 401,
      body: {
        type: "error",
        error: {
          message: "Invalid admin credentials.",
          type: "authentication_error",
          code: "unauthorized",
          param: null,
        },
        request_id: "r",
      },
    }));
    const res = await runCli(["keys", "list", "--tenant", "acme"], env(gw));
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("error: unauthorized: Invalid admin credentials.");
    expect(res.stdout + res.stderr).not.toContain(SECRET);
  });

  it("a non-JSON error body still exits 1 with the status", async () => {
    const gw = await gateway(() => ({ status: 502, body: "<html>bad gateway</html>" }));
    const res = await runCli(["balance", "abcdefghij12"], env(gw));
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("error: http_502");
  });

  it("an unreachable gateway exits 1", async () => {
    const gw = await gateway();
    const url = gw.url;
    await gateways.stop(gw);
    const res = await runCli(["balance", "abcdefghij12"], { GATEWAY_URL: url, GATEWAY_ADMIN_SECRET: SECRET });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`cannot reach the gateway at ${url}`);
  });

  it.each([
    [["keys", "list"], "--tenant is required"],
    [["keys", "show"], "expected 1 argument"],
    [["keys", "show", "a", "b"], "expected 1 argument"],
    [["credits", "add", "abcdefghij12", "10"], "--reference is required"],
    [["credits", "add", "abcdefghij12", "1.5", "--reference", "r"], "AMOUNT must be an integer"],
    [["credits", "add", "abcdefghij12", "ten", "--reference", "r"], "AMOUNT must be an integer"],
    [["keys", "list", "--tenant", "acme", "--limit", "3"], "does not take --limit"],
    [["keys", "list", "--tenant"], "--tenant needs a value"],
    [["keys", "list", "--tenant", "acme", "--bogus"], "unknown option --bogus"],
    [["keys", "destroy", "x"], "unknown command"],
    [["entries", "abcdefghij12", "--limit", "many"], "--limit must be an integer"],
    [["balance", "abcdefghij12", "--url", "ftp://x"], "not an http(s) URL"],
  ])("%j -> exit 2 (%s), no request", async (args, message) => {
    const gw = await gateway();
    const res = await runCli(args, env(gw));
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(message);
    expect(gw.requests).toEqual([]);
  });

  it("without an admin secret -> exit 2, no request", async () => {
    const gw = await gateway();
    const res = await runCli(["keys", "list", "--tenant", "acme"], { GATEWAY_URL: gw.url });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("GATEWAY_ADMIN_SECRET");
    expect(gw.requests).toEqual([]);
  });
});

describe.concurrent("gateway CLI: help", () => {
  it("--help lists every command and exits 0 without a secret or a request", async () => {
    const gw = await gateway();
    const res = await runCli(["--help"], { GATEWAY_URL: gw.url });
    expect(res.code).toBe(0);
    for (const command of [
      "keys create",
      "keys list",
      "keys show",
      "keys revoke",
      "credits add",
      "credits adjust",
      "balance",
      "entries",
      "usage",
    ]) {
      expect(res.stdout).toContain(command);
    }
    expect(gw.requests).toEqual([]);
  });

  it("a command's --help shows its usage", async () => {
    const res = await runCli(["credits", "adjust", "-h"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("credits adjust ID AMOUNT --reference R");
  });

  it("no command prints help to stderr and exits 2", async () => {
    const res = await runCli([]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("Usage:");
  });
});
