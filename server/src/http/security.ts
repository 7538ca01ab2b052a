import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { rateLimit } from 'express-rate-limit';
import type { HttpError } from '@kollegium/shared';

/**
 * Cross-site WebSocket hijacking and CSRF guard. Browsers always send Origin on WebSocket
 * upgrades and cross-origin requests; a request without one is not a cross-site browser request.
 */
export function originAllowed(req: Pick<IncomingMessage, 'headers'>, publicOrigin: string | null): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  if (publicOrigin) return origin === publicOrigin;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

export function requireSameOrigin(publicOrigin: string | null): RequestHandler {
  return (req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD' || originAllowed(req, publicOrigin)) return next();
    const body: HttpError = { error: { code: 'FORBIDDEN', message: 'Requests from another site are not accepted.' } };
    res.status(403).json(body);
  };
}

/** Strict headers: our own scripts only, no inline script, no outside host of any kind. */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // The board may be opened on other devices on the LAN over plain http.
    strictTransportSecurity: false,
    crossOriginEmbedderPolicy: false,
  });
}

/** Limits per client address for the routes that take a join code (guessing codes is slow). */
export function joinRateLimit(perMinute: number): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, res) => {
      const body: HttpError = { error: { code: 'RATE_LIMITED', message: 'Too many attempts; wait a minute and try again.' } };
      res.status(429).json(body);
    },
  });
}
