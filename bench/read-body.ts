import type { IncomingMessage } from "node:http";

/** The request body as text; an aborted request reads as empty (the handler then answers 400). */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    req.on("data", (part: Buffer) => parts.push(part));
    req.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    req.on("error", () => resolve(""));
  });
}
