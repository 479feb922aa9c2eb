/** The backend's check commands, answered by `dockpass ui-check` (the real rules). */
export const CHECKS: Set<string>;
export function realCheck(cmd: string, args: Record<string, unknown>, others: string[]): unknown;
