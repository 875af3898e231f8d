/** Errors of the analytics module. */
import { ValidationError } from '../../lib/errors.js';

/** A window the query cannot describe (bad bound, `to` before `from`, too long, unknown zone): 400 naming the field. */
export class InvalidWindowError extends ValidationError {
  constructor(field: 'from' | 'to' | 'tz', message: string) {
    super({ [`querystring.${field}`]: message }, 'The statistics window is not valid.');
  }
}
