import type { DirectoryFacts } from '@chuishao/domain';
import type { Directory } from '@chuishao/directory';

const byDirectory = new WeakMap<Directory, Map<string, DirectoryFacts>>();

/** What the directory says that a command's rules need: the departments of the county (decide checks the names). */
export function directoryFacts(directory: Directory, countyId: string): DirectoryFacts {
  // The directory does not change while the process runs, so each county's list is made once.
  let counties = byDirectory.get(directory);
  if (!counties) byDirectory.set(directory, (counties = new Map()));
  let facts = counties.get(countyId);
  if (!facts) {
    const countyDepartments = directory
      .list()
      .filter((o) => o.type === 'department' && o.countyId === countyId)
      .map((o) => o.id);
    counties.set(countyId, (facts = Object.freeze({ countyDepartments: Object.freeze(countyDepartments) })));
  }
  return facts;
}
