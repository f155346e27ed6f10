export {
  CEL_VARIABLES,
  type CelActivation,
  CelEngine,
  type CelResultType,
  type CelVariable,
  type CompileOptions,
  type CompiledExpression,
} from './cel-engine';
export { loadCel } from './cel-module';
export { CelCompileError, CelEvaluationError, type SourcePosition, positionAt } from './errors';
export { EventContext, eventView } from './event-context';
export { eventFromJson, eventJson } from './event-json';
export {
  compileInputMapping,
  type InputMapper,
  InputMappingError,
  type InputScope,
  SCOPE_VARIABLES,
} from './input-mapping';
export { fromCel, type JsonValue, NotJsonError, toCel } from './json-value';
export {
  definitionExpressionProblems,
  resultFilterCompiler,
  sourceExpressionProblems,
} from './result-filter';
export { compileMatch, type EventPredicate, lookup } from './match';
export { conditionExplainer, matchExplainer, missDecision } from './why-false';
export {
  type CompiledTriggerExpressions,
  compileTriggerExpressions,
  type EventFilter,
  type FilterMiss,
  type FilterPart,
  inputScopeOf,
  type KeyExpression,
  MAX_KEY_LENGTH,
  type TriggerExpressionSource,
  TriggerExpressionError,
  triggerExpressionProblems,
} from './trigger-expressions';
export { type CompiledTrigger, compileTrigger, type IndexedTrigger } from './compiled-trigger';
export {
  eventOwnerOf,
  isForgedFlintEvent,
  type Listener,
  listenersOf,
  ownerReaches,
  type ResultFilterCompiler,
  sourceKey,
  type TriggerListeners,
  typeKey,
} from './trigger-listeners';
export {
  batchRunRequest,
  compoundEvents,
  compoundRunRequest,
  debounceRunRequest,
  eventRunRequest,
  type EventVerdict,
  expectationRunRequest,
  judgeEvent,
} from './run-request';
