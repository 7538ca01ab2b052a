export { createApplication, type App, type AppDeps } from './app.js';
export { createLogger } from './logger.js';
export { MemoryStore, type SessionStore, type SessionRecord } from './sessions/store.js';
export { openStore } from './storage/index.js';
