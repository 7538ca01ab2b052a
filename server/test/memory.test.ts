import { MemoryStore } from '../src/sessions/store.js';
import { storeContract } from './storage.contract.js';

storeContract('MemoryStore', async () => ({ store: new MemoryStore() }));
