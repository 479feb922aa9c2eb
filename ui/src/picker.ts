// Pure model of the role picker: filtering and grouping by account.
import type { Role } from "./api";

export interface RoleGroup {
  account: string;
  /** The account's name, when the backend knows one. */
  name?: string;
  roles: Role[];
}

/** Account id → name, as the backend sends them. */
export type AccountNames = Partial<Record<string, string>>;

/** Whether a role matches every word of the filter (account and its name, role name, path or
 *  ARN; case-insensitive). */
export function matchesRole(role: Role, filter: string, names: AccountNames = {}): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const hay = [role.account, names[role.account] ?? "", role.name, role.path, role.role_arn].join("\n").toLowerCase();
  return words.every((w) => hay.includes(w));
}

/** Roles that match, grouped by account in the order the accounts first appear (the backend's order). */
export function groupRoles(roles: Role[], filter: string, names: AccountNames = {}): RoleGroup[] {
  const groups: RoleGroup[] = [];
  const byAccount = new Map<string, RoleGroup>();
  const seen = new Set<string>();
  for (const r of roles) {
    // The same role may come through two SAML providers; show it once.
    if (seen.has(r.role_arn) || !matchesRole(r, filter, names)) continue;
    seen.add(r.role_arn);
    let g = byAccount.get(r.account);
    if (!g) {
      g = { account: r.account, roles: [] };
      const name = names[r.account];
      if (name) g.name = name;
      byAccount.set(r.account, g);
      groups.push(g);
    }
    g.roles.push(r);
  }
  return groups;
}

/** The roles in display order (what the arrow keys walk through). */
export const flatten = (groups: RoleGroup[]): Role[] => groups.flatMap((g) => g.roles);
