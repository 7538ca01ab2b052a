export * from './phases.js';
export * from './joinCode.js';
export * from './model.js';
export * from './protocol.js';
export * from './machine.js';
export * from './view.js';
export * from './engine.js';
export * from './summary.js';
