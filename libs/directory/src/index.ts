export { Directory, DirectoryInvalid, ORG_TYPES } from './directory';
export type { County, Org, OrgType, Role } from './directory';
