import type { Handler } from "./handlers.ts";
export const REQUIREMENTS_TXT_HANDLERS: Record<string, Handler> = {};
