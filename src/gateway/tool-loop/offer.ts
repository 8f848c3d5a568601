import type { Principal } from "../../auth/principal";
import type { ChatRequest, FunctionTool, ToolCall } from "../../canonical/chat";
import { GatewayError } from "../../errors";
import type { CompiledPolicy } from "../../policy/types";

/**
 * Which of a request's tools the gateway runs itself. A client asks for a gateway tool by naming it in `tools` with
 * nothing else — `{"type":"function","function":{"name":"get_weather"}}` — and the gateway supplies the description
 * and parameters from the policy. Everything else in `tools` is the client's own and passes through untouched.
 */
export interface ToolOffer {
  /** What the model is shown: gateway tools expanded from the policy, client tools as sent, in request order. */
  tools: FunctionTool[];
  /** Names of the gateway tools offered in this request (exact). */
  gateway: ReadonlySet<string>;
  /** Names of the client's own tools (exact). */
  client: ReadonlySet<string>;
}

function isNameOnly(tool: FunctionTool): boolean {
  const { name: _name, ...rest } = tool.function;
  return Object.keys(rest).length === 0;
}

/** The offer for this request, or `undefined` when it names no gateway tool (a plain routed call). */
export function toolOffer(req: ChatRequest, policy: CompiledPolicy, principal: Principal): ToolOffer | undefined {
  const tools = req.tools;
  if (tools === undefined || tools.length === 0) return undefined;
  const usable = new Set(principal.tenant.tools);
  const gateway = new Set<string>();
  const client = new Set<string>();
  const expanded = tools.map((tool, index): FunctionTool => {
    const name = tool.function.name;
    const config = usable.has(name) ? policy.tools[name] : undefined;
    if (config === undefined) {
      client.add(name);
      return tool;
    }
    if (!isNameOnly(tool)) {
      throw new GatewayError(
        "invalid_request",
        `tools[${index}] is named "${name}", a gateway tool: give only its name (the gateway supplies its description ` +
          "and parameters), or rename your own tool.",
        { param: `tools[${index}]` },
      );
    }
    gateway.add(name);
    return { type: "function", function: { name, description: config.description, parameters: config.parameters } };
  });
  if (gateway.size === 0) return undefined;
  if ((req.n ?? 1) !== 1) {
    throw new GatewayError("invalid_request", "n must be 1 when the request offers gateway tools.", { param: "n" });
  }
  return { tools: expanded, gateway, client };
}

/** A turn's tool calls, split: the client's own tools go back to the client; every other name is the gateway's. */
export function splitCalls(offer: ToolOffer, calls: ToolCall[]): { gateway: ToolCall[]; client: ToolCall[] } {
  const gateway: ToolCall[] = [];
  const client: ToolCall[] = [];
  // A name that is neither the client's nor offered (a look-alike, a hallucinated tool) is handed to the executor,
  // which refuses it and tells the model so: it must never reach the client as if it were the client's tool.
  for (const call of calls) (offer.client.has(call.function.name) ? client : gateway).push(call);
  return { gateway, client };
}
