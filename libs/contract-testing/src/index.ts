export { createContractValidator, ContractViolation, type ContractValidator, type ObservedResponse } from './validator';
export { validateOpenApi31 } from './validate-document';
export { checkCommittedContract, contractFileText, contractPath } from './committed';
