import type {
  CreateSessionRequest,
  CreateSessionResponse,
  HttpError,
  JoinRequest,
  JoinResponse,
  SessionInfo,
} from '@kollegium/shared';
import { toErrorCode, type AnyErrorCode } from './errors';

export class ApiError extends Error {
  constructor(readonly code: AnyErrorCode, message: string) {
    super(message);
  }
}

async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });
  } catch {
    throw new ApiError('NETWORK', 'network error');
  }
  let data: unknown = null;
  try {
    data = await res.json();
  } catch {
    // No JSON body (a proxy error page, say): judged by the status alone.
  }
  if (!res.ok) {
    const error = (data as Partial<HttpError> | null)?.error;
    const fallback: AnyErrorCode = res.status === 404 ? 'NOT_FOUND' : res.status === 429 ? 'RATE_LIMITED' : res.status >= 500 ? 'UNAVAILABLE' : 'BAD_REQUEST';
    throw new ApiError(error ? toErrorCode(error.code) : fallback, error?.message ?? res.statusText);
  }
  return data as T;
}

const enc = encodeURIComponent;

export const api = {
  createSession: (body: CreateSessionRequest) => request<CreateSessionResponse>('POST', '/api/sessions', body),
  sessionInfo: (code: string) => request<SessionInfo>('GET', `/api/sessions/${enc(code)}`),
  join: (code: string, body: JoinRequest) => request<JoinResponse>('POST', `/api/sessions/${enc(code)}/participants`, body),
};

export function errorCodeOf(error: unknown): AnyErrorCode {
  return error instanceof ApiError ? error.code : 'INTERNAL';
}
