/** Where the OpenAPI UI is served (its JSON document at `/docs-json`). */
export const OPEN_API_PATH = 'docs';

/** Paths the management listener serves (and the public listener does not). */
export const MANAGEMENT_PATHS = ['/health/live', '/health/ready', '/metrics', `/${OPEN_API_PATH}`, `/${OPEN_API_PATH}-json`];

/** True for a management path, or anything below `/docs` (the OpenAPI UI's assets). */
export function isManagementPath(url: string): boolean {
  const path = url.split('?')[0];
  return MANAGEMENT_PATHS.includes(path) || path.startsWith(`/${OPEN_API_PATH}/`);
}
