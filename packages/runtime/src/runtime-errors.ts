import { FleetError } from '@fleet/core';

/**
 * Errors a ContainerRuntime raises. Each keeps Docker's own message (`dockerMessage`) and the
 * library error as `cause`, so nothing above the adapter needs dockerode's error shape.
 */
export abstract class RuntimeError extends FleetError {
  /** What the daemon said, verbatim (empty when it never answered). */
  readonly dockerMessage: string;
  /** HTTP status of the Engine API answer, when there was one. */
  readonly statusCode: number | undefined;
  constructor(code: string, message: string, dockerMessage: string, options?: { cause?: unknown; statusCode?: number }) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.dockerMessage = dockerMessage;
    this.statusCode = options?.statusCode;
  }
}

/** The daemon cannot be reached (socket missing, connection refused or reset, no answer in time). */
export class DockerUnavailableError extends RuntimeError {
  constructor(message: string, dockerMessage: string, options?: { cause?: unknown }) {
    super('DOCKER_UNAVAILABLE', message, dockerMessage, options);
  }
}

/** A container (or another object a request names, such as a network) does not exist, or is not fleet's on this machine. */
export class DockerNotFoundError extends RuntimeError {
  constructor(message: string, dockerMessage: string, options?: { cause?: unknown; statusCode?: number }) {
    super('DOCKER_NOT_FOUND', message, dockerMessage, options);
  }
}

/** An image is not present locally and the pull policy forbids (or the create did not do) a pull. */
export class ImageNotFoundError extends RuntimeError {
  readonly image: string;
  constructor(image: string, message: string, dockerMessage: string, options?: { cause?: unknown; statusCode?: number }) {
    super('IMAGE_NOT_FOUND', message, dockerMessage, options);
    this.image = image;
  }
}

/** Pulling an image failed (unknown image, no route to a registry, auth…). */
export class ImagePullError extends RuntimeError {
  readonly image: string;
  constructor(image: string, message: string, dockerMessage: string, options?: { cause?: unknown; statusCode?: number }) {
    super('IMAGE_PULL_FAILED', message, dockerMessage, options);
    this.image = image;
  }
}

/** The request conflicts with the daemon's state, e.g. the container name is already in use. */
export class DockerConflictError extends RuntimeError {
  constructor(message: string, dockerMessage: string, options?: { cause?: unknown; statusCode?: number }) {
    super('DOCKER_CONFLICT', message, dockerMessage, options);
  }
}

/** Any other failure the daemon reported. */
export class DockerError extends RuntimeError {
  constructor(message: string, dockerMessage: string, options?: { cause?: unknown; statusCode?: number }) {
    super('DOCKER_ERROR', message, dockerMessage, options);
  }
}

/** The configured endpoint is not `unix:///path`, `tcp://host:port`, `http(s)://host:port` or an absolute socket path. */
export class DockerEndpointError extends FleetError {
  constructor(endpoint: string) {
    super(
      'DOCKER_ENDPOINT_INVALID',
      `invalid Docker endpoint ${JSON.stringify(endpoint)}: expected unix:///path, tcp://host:port or http(s)://host:port`,
    );
  }
}
