import { readSse } from "../helpers/gateway";

/** The parts of a Responses `response` object these tests read. */
export interface ResponseJson {
  id: string;
  object: string;
  status: string;
  model: string;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: string } | null;
  metadata: Record<string, string>;
  store: boolean;
  output: {
    id: string;
    type: string;
    status: string;
    role?: string;
    content?: { type: string; text?: string }[];
    call_id?: string;
    name?: string;
    arguments?: string;
  }[];
  usage: { input_tokens: number; output_tokens: number; total_tokens: number } | null;
}

export interface ResponsesEvent {
  type: string;
  sequence_number: number;
  [key: string]: unknown;
}

/** A Responses SSE body as its events; checks that each frame's `event:` name equals its payload's `type`. */
export async function responsesEvents(res: Response): Promise<ResponsesEvent[]> {
  const frames = await readSse(res);
  return frames.map((f) => {
    const event = JSON.parse(f.data) as ResponsesEvent;
    if (f.event !== event.type) throw new Error(`frame named ${f.event} carries ${event.type}`);
    return event;
  });
}

/** The text of the first message output item. */
export function outputText(r: ResponseJson): string {
  const message = r.output.find((o) => o.type === "message");
  return (message?.content ?? []).map((p) => p.text ?? "").join("");
}

export function functionCalls(r: ResponseJson) {
  return r.output.filter((o) => o.type === "function_call");
}

export function toolDef(name: string) {
  return {
    type: "function",
    name,
    description: "Looks something up",
    parameters: { type: "object", properties: { query: { type: "string" } }, required: ["query"] },
    strict: false,
  };
}
