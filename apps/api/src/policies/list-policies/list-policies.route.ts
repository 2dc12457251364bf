import { Controller, Get, Inject } from '@nestjs/common';
import type { PolicyBook, PolicyListing } from '@chuishao/policy';
import type { Clock } from '@chuishao/runtime';
import { CLOCK, POLICY_BOOK } from '../../tokens';

export interface PolicyList {
  /** The version in force now: what scorecards are computed with unless `policy` names another. */
  inForce: string;
  versions: PolicyListing[];
}

@Controller('v1/policies')
export class ListPoliciesRoute {
  constructor(
    @Inject(POLICY_BOOK) private readonly policies: PolicyBook,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The assessment policy's versions (weights, ranking threshold, the moves' limits): every org of the county may read them. */
  @Get()
  list(): PolicyList {
    const now = this.clock.now().getTime();
    return { inForce: this.policies.inForceAt(now).version, versions: this.policies.listing(now) };
  }
}
