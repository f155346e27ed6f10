export { resolveSdkToFlintsOwn, SDK_ENTRY } from './sdk-resolution';
export {
  loadModule,
  loadUserDefinitions,
  UserCodeError,
  type UserCodeProblem,
  type UserDefinition,
} from './user-modules';
