/** Where the JSON API lives; pages, health and metrics are outside it. */
export const API_PREFIX = 'api/v1';
