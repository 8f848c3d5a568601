/**
 * An upstream answer that does not parse as its wire format. Thrown by format decoders and provider adapters; the
 * routing executor treats it as an upstream failure (it names no provider, so it lives with the errors).
 */
export class UpstreamProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UpstreamProtocolError";
  }
}
