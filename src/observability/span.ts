import { SpanKind, type SpanKindValue } from "./attributes";
import { formatTraceparent, newSpanId } from "./trace-context";

export type AttrValue = string | number | boolean | readonly string[];

/**
 * What the pipeline sees of tracing. With tracing off every span is `NOOP_SPAN` (one shared frozen object), so an
 * instrumented call costs a method call and no allocation.
 */
export interface Span {
  /** False for the no-op and unsampled spans: skip building costly attribute values when it is false. */
  readonly recording: boolean;
  set(key: string, value: AttrValue | undefined): void;
  get(key: string): AttrValue | undefined;
  updateName(name: string): void;
  /** Marks the span failed (`error.type` and status ERROR). */
  fail(errorType: string, message?: string): void;
  child(name: string, kind?: SpanKindValue): Span;
  end(): void;
  /** The `traceparent` a call made under this span should carry (undefined: send none). */
  traceparent(): string | undefined;
  /** Delays the end of the request's trace until the release runs (a stream's root ends with the stream). */
  hold(): () => void;
}

const noop = () => {};

export const NOOP_SPAN: Span = Object.freeze({
  recording: false,
  set: noop,
  get: () => undefined,
  updateName: noop,
  fail: noop,
  child: () => NOOP_SPAN,
  end: noop,
  traceparent: () => undefined,
  hold: () => noop,
});

/** A span that records nothing but keeps the trace going downstream (an unsampled request, sampled flag 0). */
export class PassiveSpan implements Span {
  readonly recording = false;
  constructor(private readonly header: string) {}
  set(): void {}
  get(): undefined {
    return undefined;
  }
  updateName(): void {}
  fail(): void {}
  child(): Span {
    return this;
  }
  end(): void {}
  traceparent(): string {
    return this.header;
  }
  hold(): () => void {
    return noop;
  }
}

export interface FinishedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: SpanKindValue;
  startMs: number;
  endMs: number;
  attributes: Record<string, AttrValue>;
  error: { type: string; message: string | undefined } | undefined;
}

/**
 * Collects one request's spans and hands them over once every span (and hold) has ended. An unsampled request keeps
 * only its root (the metrics read it); its children are one passive span that still propagates the trace.
 */
export class RequestTrace {
  readonly finished: FinishedSpan[] = [];
  root: FinishedSpan | undefined;
  rootSpanId: string | undefined;
  completed = false;
  readonly passive: PassiveSpan | undefined;
  private open = 0;
  private lastHoldRelease = 0;

  constructor(
    readonly traceId: string,
    readonly sampled: boolean,
    readonly now: () => number,
    private readonly onComplete: (trace: RequestTrace) => void,
    passiveParent?: string,
  ) {
    if (!sampled) this.passive = new PassiveSpan(formatTraceparent(traceId, passiveParent ?? newSpanId(), false));
  }

  opened(): void {
    this.open++;
  }

  closed(span: FinishedSpan): void {
    if (span.spanId === this.rootSpanId) this.root = span;
    this.finished.push(span);
    this.release();
  }

  hold(): () => void {
    this.open++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.lastHoldRelease = this.now();
      this.release();
    };
  }

  private release(): void {
    this.open--;
    if (this.open > 0 || this.completed) return;
    this.completed = true;
    const root = this.root;
    if (root !== undefined && this.lastHoldRelease > root.endMs) root.endMs = this.lastHoldRelease;
    this.onComplete(this);
  }
}

export class RecordingSpan implements Span {
  readonly recording = true;
  readonly spanId = newSpanId();
  private readonly attributes: Record<string, AttrValue> = {};
  private readonly startMs: number;
  private name: string;
  private error: FinishedSpan["error"];
  private ended = false;

  constructor(
    private readonly trace: RequestTrace,
    name: string,
    private readonly kind: SpanKindValue,
    readonly parentSpanId: string | undefined,
  ) {
    this.name = name;
    this.startMs = trace.now();
    trace.opened();
  }

  updateName(name: string): void {
    this.name = name;
  }

  set(key: string, value: AttrValue | undefined): void {
    if (value !== undefined) this.attributes[key] = value;
  }

  get(key: string): AttrValue | undefined {
    return this.attributes[key];
  }

  fail(errorType: string, message?: string): void {
    this.attributes["error.type"] = errorType;
    this.error = { type: errorType, message };
  }

  child(name: string, kind: SpanKindValue = SpanKind.internal): Span {
    // A span started after its trace was handed over would be lost: callers start follow-up spans (settlement)
    // before the root's end, so this only guards against a late straggler.
    if (this.trace.completed) return NOOP_SPAN;
    return this.trace.passive ?? new RecordingSpan(this.trace, name, kind, this.spanId);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.trace.closed({
      traceId: this.trace.traceId,
      spanId: this.spanId,
      parentSpanId: this.parentSpanId,
      name: this.name,
      kind: this.kind,
      startMs: this.startMs,
      endMs: this.trace.now(),
      attributes: this.attributes,
      error: this.error,
    });
  }

  traceparent(): string {
    return this.trace.passive?.traceparent() ?? formatTraceparent(this.trace.traceId, this.spanId, true);
  }

  hold(): () => void {
    return this.trace.hold();
  }
}
