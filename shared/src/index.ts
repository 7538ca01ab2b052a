export * from './phases.js';
export * from './joinCode.js';
export * from './model.js';
export * from './protocol.js';
export * from './machine.js';
export { headOf, viewFor, type ChallengeView, type ContributionView, type RoleView, type ViewHead, type Viewer } from './view.js';
export * from './patch.js';
export * from './engine.js';
export * from './summary.js';
