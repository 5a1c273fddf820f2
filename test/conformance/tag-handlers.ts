import type { Handler } from "./handlers.ts";
export const TAG_HANDLERS: Record<string, Handler> = {};
