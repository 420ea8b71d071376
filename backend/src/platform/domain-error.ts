/**
 * Every domain failure carries a stable code; the HTTP filter (and later the WebSocket filter)
 * turns it into a status or an ack error. Codes are part of the API: clients switch on them.
 */
export class DomainError extends Error {
  constructor(
    public readonly code: string,
    message: string,
    public readonly status: number = 400,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(code = 'UNAUTHENTICATED', message = 'A valid session token is required') {
    super(code, message, 401);
  }
}

export class ForbiddenError extends DomainError {
  constructor(code = 'FORBIDDEN', message = 'You are not allowed to do this') {
    super(code, message, 403);
  }
}

export class NotFoundError extends DomainError {
  constructor(code = 'NOT_FOUND', message = 'Not found') {
    super(code, message, 404);
  }
}

export class ConflictError extends DomainError {
  constructor(code: string, message: string) {
    super(code, message, 409);
  }
}

export class ValidationError extends DomainError {
  constructor(
    message: string,
    public readonly details: string[] = [],
  ) {
    super('INVALID_INPUT', message, 400);
  }
}

/** A launch that must not go through: the person sees an error page, nothing is written. */
export class LaunchRejectedError extends DomainError {
  constructor(code: string, message: string, status = 401) {
    super(code, message, status);
  }
}
