/** A failed call to an LMS service (token endpoint, NRPS, AGS). `retryable` says whether trying later can help. */
export class PlatformServiceError extends Error {
  constructor(
    public readonly code: string,
    message: string,
    public readonly retryable: boolean,
    public readonly status?: number,
  ) {
    super(message);
    this.name = 'PlatformServiceError';
  }
}
