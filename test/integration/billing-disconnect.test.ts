import { describe, expect, it } from "vitest";
import {
  chatBody,
  durableObjectBackend,
  newAccount,
  request,
  settled,
  sleep,
  terminalOf,
  usageOf,
} from "../helpers/billing";
import { nonce } from "../helpers/gateway";

/**
 * A JSON request whose client goes away while the upstream is still working (`enable_request_signal`): the upstream
 * call is abandoned and the hold released at once, flagged — not left for the sweeper to bill in full.
 */
describe("client disconnect before a JSON answer", () => {
  it("releases the hold (void, client_disconnected) instead of leaving it to expire", async () => {
    const b = durableObjectBackend();
    const account = await newAccount(b, 10_000_000);
    const client = new AbortController();
    const req = request(account, "/v1/chat/completions", chatBody("b-delay", `leaving early ${nonce("dc")}`));
    const pending = b.fetch(new Request(req, { signal: client.signal })).catch((err: unknown) => err);
    await sleep(150);
    client.abort();
    await pending;
    const after = await settled(b, account);
    expect(after.held).toBe(0);
    expect(after.billed).toBe(0);
    const entries = await b.ledger.entries(account.keyId, account.tenantId, { limit: 10 });
    const reserve = entries.find((e) => e.type === "reserve");
    expect(reserve).toBeDefined();
    const terminal = await terminalOf(b, account, reserve?.requestId ?? "");
    expect(terminal?.type).toBe("void");
    expect((await usageOf(b, account, reserve?.requestId ?? ""))?.flags).toContain("client_disconnected");
  });
});
