export type Role = 'township' | 'department' | 'command_centre' | 'assessment_office';

/** Who issues a command: the authenticated org and user, as the token says. */
export interface Actor {
  orgId: string;
  role: Role;
  userId: string;
  countyId: string;
}
