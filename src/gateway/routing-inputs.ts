import type { ChatRequest } from "../canonical/chat";
import type { RoutingInputs } from "../ledger/types";

/**
 * What routing saw of a chat request, recorded on its usage event so `gateway simulate` can ask another policy the
 * same question: the name the request used, the prompt estimate the planner was given, and the request's shape. No
 * prompt text.
 */
export function chatRoutingInputs(
  req: ChatRequest,
  promptEstimate: number,
  taskType: string | undefined,
): RoutingInputs {
  const inputs: RoutingInputs = {
    requested: req.model,
    estimatedTokens: promptEstimate,
    hasTools: (req.tools?.length ?? 0) > 0,
    turns: req.messages.filter((m) => m.role === "user").length,
    hasResponseFormat: req.response_format != null,
  };
  if (taskType !== undefined) inputs.taskType = taskType;
  return inputs;
}
