import type { ChunkEvent } from "../canonical/chat";

/** A stream whose first event has arrived: from here on the attempt is committed (no fallback after the first byte). */
export interface StreamStart {
  first: ChunkEvent;
  rest: AsyncIterator<ChunkEvent>;
  /** Cancels the upstream body (client went away, or we cut the stream). */
  cancel: () => Promise<void>;
}
