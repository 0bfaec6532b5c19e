export {
  createContractValidator,
  createFrameValidator,
  ContractViolation,
  type ContractValidator,
  type FrameValidator,
} from './validator';
export { validateOpenApi31 } from './validate-document';
export { checkCommittedContract, contractFileText, contractPath } from './committed';
