import type { Handler } from "./handlers.ts";
export const METADATA_HANDLERS: Record<string, Handler> = {};
