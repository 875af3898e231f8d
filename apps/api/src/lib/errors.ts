/**
 * Services throw these; the problem-details plugin renders every one as RFC 9457
 * `application/problem+json` (architecture rule 3). `code` is stable and snake_case: clients
 * switch on it, never on `detail`.
 */
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly errors: Record<string, string> | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    status: number,
    code: string,
    title: string,
    detail?: string,
    extra: { errors?: Record<string, string>; headers?: Record<string, string> } = {},
  ) {
    super(detail ?? title);
    this.name = 'AppError';
    this.status = status;
    this.code = code;
    this.title = title;
    this.errors = extra.errors;
    this.headers = extra.headers;
  }
}

export class ValidationError extends AppError {
  constructor(errors: Record<string, string>, detail = 'The request has invalid fields.') {
    super(400, 'validation_failed', 'Invalid request', detail, { errors });
  }
}

export class UnauthorizedError extends AppError {
  constructor(detail = 'Authentication is required.', code = 'unauthorized') {
    super(401, code, 'Unauthorized', detail, { headers: { 'www-authenticate': 'Bearer' } });
  }
}

export class ForbiddenError extends AppError {
  constructor(detail = 'You are not allowed to do this.') {
    super(403, 'forbidden', 'Forbidden', detail);
  }
}

export class NotFoundError extends AppError {
  constructor(resource = 'resource', detail?: string) {
    super(404, 'not_found', 'Not found', detail ?? `The ${resource} does not exist.`);
  }
}

export class ConflictError extends AppError {
  constructor(code: string, detail: string) {
    super(409, code, 'Conflict', detail);
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(detail = 'A dependency is unavailable; retry shortly.', retryAfterSeconds = 1) {
    super(503, 'service_unavailable', 'Service unavailable', detail, {
      headers: { 'retry-after': String(retryAfterSeconds) },
    });
  }
}
