export type Role = 'township' | 'department' | 'command_centre' | 'assessment_office' | 'system';

/** Who issues a command: the authenticated org and user, as the token says. */
export interface Actor {
  orgId: string;
  role: Role;
  userId: string;
  countyId: string;
}

/** The server's own processors (the deadline watcher) act as this actor. */
export const systemActor = (countyId: string, userId: string): Actor => ({ orgId: 'system', role: 'system', userId, countyId });
