import { describe, expect, it } from "vitest";
import { gw } from "../../helpers/gateway";
import { admin } from "../admin-helpers";

async function problem(res: Response) {
  return { status: res.status, ...((await res.json()) as { error: { code: string; param: string | null } }).error };
}

describe("analytics API: bad input is a clear 400, credentials are checked", () => {
  it.each([
    ["/admin/analytics", "tenant"],
    ["/admin/analytics?tenant=t-main&group_by=colour", "group_by.0"],
    ["/admin/analytics?tenant=t-main&interval=week", "interval"],
    ["/admin/analytics?tenant=t-main&interval=minute&from=0&to=172800000", "interval"],
    ["/admin/analytics?tenant=t-main&from=2000&to=1000", "from"],
    ["/admin/analytics?tenant=t-main&format=xml", "format"],
  ])("%s -> 400 naming %s", async (path, param) => {
    expect(await problem(await admin(path))).toMatchObject({ status: 400, code: "invalid_request", param });
  });

  it("an unknown tenant is a 404; /v1/analytics refuses a key filter and needs a credential", async () => {
    expect((await admin("/admin/analytics?tenant=nobody")).status).toBe(404);
    expect(await problem(await gw("/v1/analytics?key=test-restricted"))).toMatchObject({ status: 400, param: "key" });
    expect((await gw("/v1/analytics", { key: null })).status).toBe(401);
    expect((await admin("/admin/analytics?tenant=t-main", { secret: "wrong-secret-wrong-secret" })).status).toBe(401);
  });

  it("a task outcome needs a valid id and body", async () => {
    const post = (id: string, body: unknown) =>
      gw(`/v1/tasks/${id}/outcome`, { method: "POST", body: JSON.stringify(body) });
    expect((await post("t1", { outcome: "maybe" })).status).toBe(400);
    expect((await post("t%20x", { outcome: "success" })).status).toBe(400);
    expect((await gw("/v1/tasks/t1/outcome")).status).toBe(405);
  });
});
