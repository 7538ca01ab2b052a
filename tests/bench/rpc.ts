import type { ChildProcess } from 'node:child_process';

/** A request/response channel over Node's IPC (process.send) between the orchestrator and a child. */

type Call = { rpc: 'call'; id: number; method: string; args: unknown };
type Reply = { rpc: 'reply'; id: number; ok: boolean; result?: unknown; error?: string };
type Log = { rpc: 'log'; text: string };
export type RpcMessage = Call | Reply | Log;

/** What a child answers: by method name, a handler of at most one argument. */
export type Handlers = Record<string, (args: never) => unknown>;
/** A call's argument, then its timeout: the handler's one parameter, or nothing (or `{}`) for a handler without one. */
type CallArgs<F> = F extends () => unknown
  ? [args?: Record<string, never>, timeoutMs?: number]
  : F extends (args: infer A) => unknown
    ? [args: A, timeoutMs?: number]
    : never;

/** What a call of `method` answers. */
export type Answer<Api extends Handlers, M extends keyof Api> = Awaited<ReturnType<Api[M]>>;

/** The parent's side of a child serving `Api` (the type of the handlers it passes to `serveRpc`). */
export class RpcClient<Api extends Handlers> {
  private next = 1;
  private waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private exited: string | null = null;

  constructor(
    private readonly child: ChildProcess,
    private readonly name: string,
    onLog: (text: string) => void = (text) => console.log(`  [${name}] ${text}`),
  ) {
    child.on('message', (raw: unknown) => {
      const msg = raw as RpcMessage;
      if (msg?.rpc === 'log') onLog(msg.text);
      if (msg?.rpc !== 'reply') return;
      const w = this.waiting.get(msg.id);
      if (!w) return;
      this.waiting.delete(msg.id);
      clearTimeout(w.timer);
      if (msg.ok) w.resolve(msg.result);
      else w.reject(new Error(`${name}: ${msg.error}`));
    });
    child.on('exit', (code, signal) => {
      this.exited = `${name} exited (${signal ?? code})`;
      for (const w of this.waiting.values()) {
        clearTimeout(w.timer);
        w.reject(new Error(this.exited));
      }
      this.waiting.clear();
    });
  }

  call<M extends keyof Api & string>(method: M, ...[args, timeoutMs = 60_000]: CallArgs<Api[M]>): Promise<Answer<Api, M>> {
    type T = Answer<Api, M>;
    if (this.exited) return Promise.reject(new Error(this.exited));
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${this.name}.${method} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.child.send({ rpc: 'call', id, method, args: args ?? {} } satisfies Call);
    });
  }
}

/** Child side: answers calls with the named handlers. Exits when the parent goes away. */
export function serveRpc(handlers: Handlers): void {
  if (!process.send) throw new Error('not started with an IPC channel');
  process.on('message', (raw: unknown) => {
    const msg = raw as RpcMessage;
    if (msg?.rpc !== 'call') return;
    const handler = handlers[msg.method];
    const reply = (r: Omit<Reply, 'rpc' | 'id'>) => process.connected && process.send!({ rpc: 'reply', id: msg.id, ...r });
    if (!handler) return void reply({ ok: false, error: `no method ${msg.method}` });
    Promise.resolve()
      .then(() => handler(msg.args as never))
      .then(
        (result) => reply({ ok: true, result }),
        (error: unknown) => reply({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
      );
  });
  process.on('disconnect', () => process.exit(0));
}

export function rpcLog(text: string): void {
  if (process.connected) process.send!({ rpc: 'log', text } satisfies Log);
}
