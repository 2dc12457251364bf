import type { Actor } from './actor';
import type { CaseState } from './case.state';

/**
 * Who may see a case. Whoever may not see it is told it does not exist (404), so scoping never
 * leaks that a case exists: a township sees its own cases, a department those it holds or held,
 * the command centre and assessment office everything in their county.
 */
export function canSee(actor: Actor, state: CaseState): boolean {
  switch (actor.role) {
    case 'township':
      return state.townshipId === actor.orgId;
    case 'department':
      return state.involvedDepartmentIds.includes(actor.orgId);
    case 'command_centre':
    case 'assessment_office':
    case 'system':
      return state.countyId === actor.countyId;
  }
}
