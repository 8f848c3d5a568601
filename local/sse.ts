/** Server-sent event frames as the servers write them; `content` marks frames that carry generated output. */
export interface SseFrame {
  text: string;
  content: boolean;
}

export function sseFrame(data: string, opts: { event?: string; content?: boolean } = {}): SseFrame {
  const lines = data.split("\n").map((line) => `data: ${line}`);
  if (opts.event !== undefined) lines.unshift(`event: ${opts.event}`);
  return { text: `${lines.join("\n")}\n\n`, content: opts.content ?? false };
}

export function sseJson(payload: unknown, opts: { event?: string; content?: boolean } = {}): SseFrame {
  return sseFrame(JSON.stringify(payload), opts);
}
