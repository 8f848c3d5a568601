import { createHmac, timingSafeEqual } from "node:crypto";
import { sendJson } from "../../../local/http";
import { WEBHOOK_TEST_SECRET } from "../cloud-credentials";
import type { RouteInput } from "./routes";

/**
 * A Standard Webhooks receiver (`POST /webhook`): verifies `webhook-signature` against `webhook-id`,
 * `webhook-timestamp` and the raw body with the test secret, as a receiver would (constant-time, 5-minute
 * tolerance), and answers 204, or 401 when the signature does not verify. A body whose `data.metadata.fail_first`
 * is N gets 500 for the first N deliveries of its `webhook-id` (a receiver that is down). What it decided is kept per
 * id: `GET /webhook/deliveries?id=` answers `[{status, verified, type, attemptAt}]`.
 */

interface Delivery {
  status: number;
  verified: boolean;
  type: string | null;
  timestamp: number;
}

const deliveries = new Map<string, Delivery[]>();

export function verifyStandardWebhook(secret: string, id: string, timestamp: string, body: string, header: string) {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest();
  return header.split(" ").some((entry) => {
    const [version, signature] = entry.split(",");
    if (version !== "v1" || signature === undefined) return false;
    const given = Buffer.from(signature, "base64");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

export function webhook(input: RouteInput): void {
  const { req, res, url, body } = input;
  if (req.method === "GET") {
    sendJson(res, 200, deliveries.get(url.searchParams.get("id") ?? "") ?? []);
    return;
  }
  const header = (name: string) => String(req.headers[name] ?? "");
  const id = header("webhook-id");
  const timestamp = header("webhook-timestamp");
  const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) <= 300;
  const verified =
    id !== "" && fresh && verifyStandardWebhook(WEBHOOK_TEST_SECRET, id, timestamp, body, header("webhook-signature"));
  let event: { type?: string; data?: { metadata?: Record<string, string> | null } } = {};
  try {
    event = JSON.parse(body);
  } catch {
    // Not JSON: recorded as unverifiable below.
  }
  const seen = deliveries.get(id) ?? [];
  const failFirst = Number(event.data?.metadata?.fail_first ?? 0);
  const status = !verified ? 401 : seen.length < failFirst ? 500 : 204;
  seen.push({ status, verified, type: event.type ?? null, timestamp: Number(timestamp) });
  deliveries.set(id, seen);
  if (status === 204) {
    res.writeHead(204);
    res.end();
  } else sendJson(res, status, { error: { message: verified ? "receiver down" : "bad signature" } });
}
