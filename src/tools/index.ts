export { toolDeps } from "./deps";
export { executeTool } from "./execute";
export { outcomeError } from "./outcome-error";
export type { ToolCall, ToolDeps, ToolError, ToolExecuted, ToolNotExecuted, ToolOutcome } from "./types";
