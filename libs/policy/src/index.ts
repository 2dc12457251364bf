export { bundledPolicyFile, loadPolicyBook, parsePolicyBook, PolicyFileInvalid, policyBookOf, WEIGHTS_TOTAL } from './load';
export { PolicyBook, type PolicyListing, type PolicyVersion } from './policy-book';
