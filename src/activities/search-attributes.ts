/** `searchAttributesSupported`: whether the namespace has the Seedance search attributes. */
import { Context } from '@temporalio/activity';
import { SEARCH_ATTRIBUTE_KEYS } from '../contract/definitions';

const CACHE_MS = 60_000;

/**
 * Whether the workflow's namespace has our search attributes registered. Upserting an unknown one
 * blocks the workflow task forever, so workflows ask first. Answers are cached per namespace.
 */
export function makeSearchAttributesSupported() {
  const cache = new Map<string, { value: boolean; at: number }>();
  return async function searchAttributesSupported(): Promise<boolean> {
    const context = Context.current();
    const namespace = context.info.workflowNamespace ?? 'default';
    const cached = cache.get(namespace);
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.value;
    let value = false;
    try {
      const response = await context.client.connection.operatorService.listSearchAttributes({ namespace });
      const names = new Set(Object.keys(response.customAttributes ?? {}));
      value = SEARCH_ATTRIBUTE_KEYS.every((key) => names.has(key.name));
    } catch {
      value = false; // no permission to ask (e.g. a restricted API key): skip the upserts
    }
    if (!value)
      context.log.info('Seedance search attributes are not registered in this namespace; not upserting them', {
        namespace,
      });
    cache.set(namespace, { value, at: Date.now() });
    return value;
  };
}
